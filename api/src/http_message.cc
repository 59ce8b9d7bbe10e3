#include "http_message.h"

#include <nlohmann/json.hpp>

namespace orgledger::api {
namespace {

std::string title_of(std::string_view code) {
  if (code == "unauthenticated") return "Unauthenticated";
  if (code == "forbidden") return "Forbidden";
  if (code == "not_found") return "Not found";
  if (code == "payload_too_large") return "Payload too large";
  if (code == "rate_limited") return "Rate limited";
  if (code == "invalid_argument") return "Invalid argument";
  if (code == "method_not_allowed") return "Method not allowed";
  if (code == "unavailable") return "Unavailable";
  return "Error";
}

}  // namespace

HttpResponse json_response(int status, const Json& body) {
  HttpResponse response;
  response.status = status;
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

HttpResponse problem_response(int status, std::string_view code, std::string detail, std::string rule) {
  Json body;
  body["status"] = status;
  body["code"] = code;
  body["title"] = title_of(code);
  body["detail"] = std::move(detail);
  body["rule"] = std::move(rule);
  HttpResponse response = json_response(status, body);
  response.content_type = "application/problem+json";
  response.code = code;
  return response;
}

HttpResponse problem_response(const commands::Failure& failure) {
  const Json body = failure_json(failure);
  HttpResponse response = json_response(body["status"].get<int>(), body);
  response.content_type = "application/problem+json";
  response.code = body["code"].get<std::string>();
  if (response.status == 503) response.headers.emplace_back("Retry-After", "5");
  return response;
}

}  // namespace orgledger::api
