// What the handlers see of a request's header (http_message.h), taken from Beast's parsed header:
// the one translation, shared by the session and the HTTP fuzz target (tests/fuzz).
#pragma once

#include <boost/beast/http/message.hpp>

#include "http_message.h"

namespace orgledger::api {

// Method, path and query (split at the first '?', neither decoded), Last-Event-ID and
// If-None-Match (empty when absent). The body is left empty: it is read after the header.
HttpRequest request_head(const boost::beast::http::request_header<>& header);

}  // namespace orgledger::api
