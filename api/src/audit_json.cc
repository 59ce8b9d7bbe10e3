#include "orgledger/api/audit_json.h"

#include <nlohmann/json.hpp>

#include "orgledger/api/time_format.h"

namespace orgledger::api {

Json access_history_json(const std::string& org, const std::string& product, const replay::AccessHistory& history) {
  Json out;
  out["org"] = org;
  out["product"] = product;
  out["as_of_position"] = history.as_of_position;
  Json intervals = Json::array();
  for (const auto& interval : history.intervals) {
    Json item;
    item["user"] = interval.user;
    item["from"] = format_instant(interval.from);
    item["from_position"] = interval.from_position;
    item["to"] = interval.to ? Json(format_instant(*interval.to)) : Json(nullptr);
    item["to_position"] = interval.to_position ? Json(*interval.to_position) : Json(nullptr);
    Json via = reason_json(interval.via);
    via.erase("since_position");  // the interval's from_position says it
    item["via"] = std::move(via);
    intervals.push_back(std::move(item));
  }
  out["intervals"] = std::move(intervals);
  return out;
}

Json who_can_users_json(const std::map<std::string, std::vector<projections::Reason>>& users) {
  Json out = Json::array();
  for (const auto& [user, reasons] : users) out.push_back({{"user", user}, {"because", reasons_json(reasons)}});
  return out;
}

Json capability_json(const projections::Capability& capability) {
  Json out;
  out["action"] = projections::to_string(capability.action);
  if (capability.product) out["product"] = *capability.product;
  if (capability.scope) out["scope"] = projections::to_string(*capability.scope);
  out["because"] = reasons_json(capability.because);
  return out;
}

}  // namespace orgledger::api
