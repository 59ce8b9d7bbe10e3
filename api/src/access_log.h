// The access log: one JSON object per request, one line each, on stderr by default (issue 4), so
// that any log shipper can parse it without a grammar of ours.
#pragma once

#include <chrono>
#include <string>

#include "orgledger/ledger/types.h"

namespace orgledger::api {

struct AccessLogEntry {
  ledger::Micros at = 0;
  std::string remote;
  std::string method;
  std::string path;   // without the query: ids in queries stay out of logs
  std::string route;  // the route's pattern, or "unmatched"
  int status = 0;
  std::string code;  // the problem's code, "" on success
  std::chrono::microseconds duration{0};
  std::size_t bytes = 0;
  std::string token;  // the token's name, "" when none was given or valid
};

std::string access_log_line(const AccessLogEntry& entry);

}  // namespace orgledger::api
