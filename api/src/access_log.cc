#include "access_log.h"

#include <nlohmann/json.hpp>

#include "orgledger/api/time_format.h"

namespace orgledger::api {

std::string access_log_line(const AccessLogEntry& entry) {
  nlohmann::ordered_json line;
  line["time"] = format_instant(entry.at);
  line["remote"] = entry.remote;
  line["method"] = entry.method;
  line["path"] = entry.path;
  line["route"] = entry.route;
  line["status"] = entry.status;
  if (!entry.code.empty()) line["code"] = entry.code;
  line["duration_us"] = entry.duration.count();
  line["bytes"] = entry.bytes;
  line["token"] = entry.token;
  // A hostile path may hold invalid UTF-8: replaced, never a reason to lose the line.
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace orgledger::api
