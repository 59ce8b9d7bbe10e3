// The JSON of API.md's audit questions: access history, who-can, what-can.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "orgledger/api/answer_json.h"
#include "orgledger/projections/reverse_lookup.h"
#include "orgledger/replay/access_history.h"

namespace orgledger::api {

// {"org", "product", "as_of_position", "intervals": [{"user", "from", "from_position", "to", "to_position",
//   "via": {"kind", "role"?, "team"?, "grant"?}}]}
Json access_history_json(const std::string& org, const std::string& product, const replay::AccessHistory& history);

// One page of who-can: {"user", "because": […]} per user.
Json who_can_users_json(const std::map<std::string, std::vector<projections::Reason>>& users);

// One capability of what-can: {"action", "product"?, "scope"?, "because": […]}.
Json capability_json(const projections::Capability& capability);

}  // namespace orgledger::api
