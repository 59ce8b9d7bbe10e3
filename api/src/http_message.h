// Requests and responses as the handlers see them: plain values, no Beast, so that handler files
// compile quickly and read like the contract (API.md).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orgledger/api/answer_json.h"

namespace orgledger::api {

struct HttpRequest {
  std::string method;  // "GET", "POST", …
  std::string path;    // the target before '?', not decoded
  std::string query;   // the target after '?', not decoded
  std::string body;
  std::string last_event_id;  // SSE resumption (Last-Event-ID), empty when absent
  std::string if_none_match;  // the client's cached validator (If-None-Match), empty when absent
};

struct HttpResponse {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;  // beyond Content-Type and Content-Length
  std::string code;  // the problem's code for errors, for metrics and the access log
};

HttpResponse json_response(int status, const Json& body);
// application/problem+json (API.md, Errors): {"status", "code", "title", "detail", "rule"}.
HttpResponse problem_response(int status, std::string_view code, std::string detail, std::string rule = "");
// The problem of a domain rejection or a processor failure.
HttpResponse problem_response(const commands::Failure& failure);

}  // namespace orgledger::api
