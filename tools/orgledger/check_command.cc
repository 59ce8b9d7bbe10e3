// `orgledger check --org O --user U --action A [--product P] [--scope S] [--resource R]
//  [--as-of X] [--at T] [--explain] [--json]`: exit 0 allowed, 1 denied.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "orgledger/api/answer_json.h"
#include "orgledger/projections/access.h"
#include "query_support.h"
#include "subcommands.h"

namespace orgledger::tools {

int check_command(const Args& raw) {
  const CliArgs args(
      raw, {{"data", "org", "user", "action", "product", "scope", "resource", "as-of", "at"}, {"explain", "json"}});
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  for (const char* required : {"org", "user", "action"}) {
    if (!args.value(required)) throw UsageError(std::string("--") + required + " is required");
  }
  projections::CheckRequest request{*args.value("org"),    *args.value("user"), {}, args.value("product"), {},
                                    args.value("resource")};
  const auto action = projections::parse_action(*args.value("action"));
  if (!action) throw UsageError("unknown action '" + *args.value("action") + "'");
  request.action = *action;
  if (request.action == projections::Action::product_access && !request.product)
    throw UsageError("product.access needs --product");
  if (auto scope = args.value("scope")) {
    request.scope = projections::parse_support_scope(*scope);
    if (!request.scope) throw UsageError("--scope is mail, kdrive or kchat");
  }
  if (request.action == projections::Action::support_access && !request.scope)
    throw UsageError("support.access needs --scope");

  auto folded = load_state(args, "check");
  if (!folded) return kExitUsageOrIo;
  const auto at = instant_of(args, *folded);
  if (!folded->state.organizations.contains(request.org)) {
    print_problem(args,
                  api::problem_json(commands::Code::not_found, "", "organization " + request.org + " does not exist"));
    return kExitRejected;
  }
  const auto result = projections::check(folded->state, request, at);
  if (args.flag("json")) {
    std::printf("%s\n", api::check_json(result, folded->as_of_position, args.flag("explain")).dump().c_str());
  } else {
    std::printf("%s (as of position %llu)\n", result.allowed ? "allowed" : "denied",
                static_cast<unsigned long long>(folded->as_of_position));
    for (const auto& reason : result.because) {
      std::printf("  because %s%s%s since position %llu\n", projections::to_string(reason.kind),
                  reason.role ? (std::string(" ") + projections::to_string(*reason.role)).c_str() : "",
                  !reason.team.empty()    ? (" " + reason.team).c_str()
                  : !reason.grant.empty() ? (" " + reason.grant).c_str()
                                          : "",
                  static_cast<unsigned long long>(reason.since_position));
    }
    if (!result.allowed && args.flag("explain")) {
      for (const auto& missing : result.missing) std::printf("  missing: %s\n", missing.c_str());
    }
  }
  return result.allowed ? kExitOk : kExitRejected;
}

}  // namespace orgledger::tools
