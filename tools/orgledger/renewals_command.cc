// `orgledger renewals ORG [--as-of X] [--at T] [--json]` (API.md, B4): each product's expiry, its
// state at the instant, and its auto-renewal.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "orgledger/api/answer_json.h"
#include "query_support.h"
#include "subcommands.h"

namespace orgledger::tools {

int renewals_command(const Args& raw) {
  const CliArgs args(raw, {{"data", "as-of", "at"}, {"json"}});
  if (args.positional().size() != 1) throw UsageError("renewals takes one organization id");
  const std::string org_id = args.positional().front();
  auto folded = load_state(args, "renewals");
  if (!folded) return kExitUsageOrIo;
  auto org = folded->state.organizations.find(org_id);
  if (org == folded->state.organizations.end()) {
    print_problem(args, api::problem_json(commands::Code::not_found, "", "organization " + org_id + " does not exist"));
    return kExitRejected;
  }
  const auto body = api::renewals_json(org_id, org->second, instant_of(args, *folded), folded->as_of_position);
  if (args.flag("json")) {
    std::printf("%s\n", body.dump().c_str());
    return kExitOk;
  }
  std::printf("%s (as of position %llu)\n", org_id.c_str(), static_cast<unsigned long long>(folded->as_of_position));
  for (const auto& product : body["products"]) {
    const auto& renewal = product["auto_renewal"];
    std::printf("  %-24s %-8s expires %s  auto-renewal %s\n", product["product"].get<std::string>().c_str(),
                product["state"].get<std::string>().c_str(),
                product["expires_at"].is_null() ? "never" : product["expires_at"].get<std::string>().c_str(),
                renewal["enabled"].get<bool>()
                    ? (renewal["payment_method"].get<std::string>() + ", first attempt " +
                       renewal["first_attempt_at"].get<std::string>()).c_str()
                    : "off");
  }
  return kExitOk;
}

}  // namespace orgledger::tools
