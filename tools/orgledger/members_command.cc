// `orgledger members ORG [--as-of X] [--json]`: members, roles, product access.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "orgledger/api/answer_json.h"
#include "query_support.h"
#include "subcommands.h"

namespace orgledger::tools {

int members_command(const Args& raw) {
  const CliArgs args(raw, {{"data", "as-of"}, {"json"}});
  if (args.positional().size() != 1) throw UsageError("members takes one organization id");
  const std::string org_id = args.positional().front();
  auto folded = load_state(args, "members");
  if (!folded) return kExitUsageOrIo;
  auto org = folded->state.organizations.find(org_id);
  if (org == folded->state.organizations.end()) {
    print_problem(args, api::problem_json(commands::Code::not_found, "", "organization " + org_id + " does not exist"));
    return kExitRejected;
  }
  const auto body = api::members_json(org_id, org->second, folded->as_of_position);
  if (args.flag("json")) {
    std::printf("%s\n", body.dump().c_str());
    return kExitOk;
  }
  std::printf("%s (as of position %llu)\n", org_id.c_str(), static_cast<unsigned long long>(folded->as_of_position));
  for (const auto& member : body["members"]) {
    std::printf("  %-24s %-21s billing=%s products=%s teams=%s\n", member["user"].get<std::string>().c_str(),
                member["role"].get<std::string>().c_str(), member["billing"].get<bool>() ? "yes" : "no",
                member["products"].dump().c_str(), member["teams"].dump().c_str());
  }
  return kExitOk;
}

}  // namespace orgledger::tools
