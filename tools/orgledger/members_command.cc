// `orgledger members ORG [--as-of X] [--json]`: members, roles, product access.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "org_query.h"

namespace orgledger::tools {

int members_command(const Args& raw) {
  return run_org_query(
      raw, {.subcommand = "members",
            .route = "members",
            .options = {{"data", "as-of"}, {"json"}},
            .render = [](const CliArgs&, const projections::Folded& folded, const std::string& org_id,
                         const projections::Organization& org) {
              return api::members_json(org_id, org, folded.as_of_position);
            },
            .print_lines = [](const api::Json& body) {
              for (const auto& member : body["members"]) {
                std::printf("  %-24s %-21s billing=%s products=%s teams=%s\n",
                            member["user"].get<std::string>().c_str(), member["role"].get<std::string>().c_str(),
                            member["billing"].get<bool>() ? "yes" : "no", member["products"].dump().c_str(),
                            member["teams"].dump().c_str());
              }
            }});
}

}  // namespace orgledger::tools
