// `orgledger partners ORG [--as-of X] [--json]` (API.md, C5): the relations where the organization
// is the client, then those where it is the partner.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "org_query.h"

namespace orgledger::tools {

int partners_command(const Args& raw) {
  return run_org_query(
      raw, {.subcommand = "partners",
            .route = "partners",
            .options = {{"data", "as-of", "at"}, {"json"}},
            .render = [](const CliArgs&, const projections::Folded& folded, const std::string& org_id,
                         const projections::Organization&) {
              return api::partners_json(org_id, folded.state, folded.as_of_position);
            },
            .print_lines = [](const api::Json& body) {
              for (const auto& r : body["relations"]) {
                std::printf("  partner %-16s client %-16s %-6s scope %s billing %s managers %s\n",
                            r["partner_org"].get<std::string>().c_str(), r["client_org"].get<std::string>().c_str(),
                            r["state"].get<std::string>().c_str(), r["scope"].dump().c_str(),
                            r["billing"].get<bool>() ? "yes" : "no", r["managers"].dump().c_str());
              }
            }});
}

}  // namespace orgledger::tools
