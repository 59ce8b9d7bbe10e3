// `orgledger partners ORG [--as-of X] [--json]` (API.md, C5): the relations where the organization
// is the client, then those where it is the partner.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "orgledger/api/answer_json.h"
#include "query_support.h"
#include "subcommands.h"

namespace orgledger::tools {

int partners_command(const Args& raw) {
  const CliArgs args(raw, {{"data", "as-of", "at"}, {"json"}});
  if (args.positional().size() != 1) throw UsageError("partners takes one organization id");
  const std::string org_id = args.positional().front();
  auto folded = load_state(args, "partners");
  if (!folded) return kExitUsageOrIo;
  if (!folded->state.organizations.contains(org_id)) {
    print_problem(args, api::problem_json(commands::Code::not_found, "", "organization " + org_id + " does not exist"));
    return kExitRejected;
  }
  const auto body = api::partners_json(org_id, folded->state, folded->as_of_position);
  if (args.flag("json")) {
    std::printf("%s\n", body.dump().c_str());
    return kExitOk;
  }
  std::printf("%s (as of position %llu)\n", org_id.c_str(), static_cast<unsigned long long>(folded->as_of_position));
  for (const auto& r : body["relations"]) {
    std::printf("  partner %-16s client %-16s %-6s scope %s billing %s managers %s\n",
                r["partner_org"].get<std::string>().c_str(), r["client_org"].get<std::string>().c_str(),
                r["state"].get<std::string>().c_str(), r["scope"].dump().c_str(), r["billing"].get<bool>() ? "yes" : "no",
                r["managers"].dump().c_str());
  }
  return kExitOk;
}

}  // namespace orgledger::tools
