// `orgledger renewals ORG [--as-of X] [--at T] [--json]` (API.md, B4): each product's expiry, its
// state at the instant, and its auto-renewal.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "org_query.h"
#include "query_support.h"

namespace orgledger::tools {

int renewals_command(const Args& raw) {
  return run_org_query(
      raw, {.subcommand = "renewals",
            .route = "renewals",
            .options = {{"data", "as-of", "at"}, {"json"}},
            .render = [](const CliArgs& args, const projections::Folded& folded, const std::string& org_id,
                         const projections::Organization& org) {
              return api::renewals_json(org_id, org, instant_of(args, folded), folded.as_of_position);
            },
            .print_lines = [](const api::Json& body) {
              for (const auto& product : body["products"]) {
                const auto& renewal = product["auto_renewal"];
                std::printf("  %-24s %-8s expires %s  auto-renewal %s\n", product["product"].get<std::string>().c_str(),
                            product["state"].get<std::string>().c_str(),
                            product["expires_at"].is_null() ? "never" : product["expires_at"].get<std::string>().c_str(),
                            renewal["enabled"].get<bool>()
                                ? (renewal["payment_method"].get<std::string>() + ", first attempt " +
                                   renewal["first_attempt_at"].get<std::string>())
                                      .c_str()
                                : "off");
              }
            }});
}

}  // namespace orgledger::tools
