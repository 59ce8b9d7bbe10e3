#include <utility>  // before Boost 1.74's Asio under C++23

#include "request_head.h"

#include <boost/beast/http/field.hpp>

namespace orgledger::api {

HttpRequest request_head(const boost::beast::http::request_header<>& header) {
  HttpRequest request;
  request.method = std::string(header.method_string());
  const std::string_view target(header.target().data(), header.target().size());
  const auto question = target.find('?');
  request.path = std::string(target.substr(0, question));
  request.query = question == std::string_view::npos ? std::string() : std::string(target.substr(question + 1));
  if (auto it = header.find("Last-Event-ID"); it != header.end()) request.last_event_id = std::string(it->value());
  if (auto it = header.find(boost::beast::http::field::if_none_match); it != header.end()) {
    request.if_none_match = std::string(it->value());
  }
  return request;
}

}  // namespace orgledger::api
