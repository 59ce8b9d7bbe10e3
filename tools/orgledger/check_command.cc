// `orgledger check --org O --user U --action A [--product P] [--scope S] [--resource R]
//  [--as-of X] [--at T] [--explain] [--json]`: exit 0 allowed, 1 denied.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "orgledger/api/answer_json.h"
#include "orgledger/projections/access.h"
#include "query_support.h"
#include "remote_query.h"
#include "subcommands.h"

namespace orgledger::tools {

namespace {

// GET /v1/check, from the data directory or the server.
std::expected<api::Json, int> check_body(const CliArgs& args, const projections::CheckRequest& request) {
  const bool explain = args.flag("explain");
  if (auto server = RemoteServer::from_args(args)) {
    Target target("/v1/check");
    for (const char* name : {"org", "user", "action", "product", "scope", "resource"}) target.add(name, args.value(name));
    if (explain) target.add("explain", "true");
    return remote_json(*server, target.add_as_of_at(args), args, "check");
  }
  auto folded = load_state(args, "check");
  if (!folded) return std::unexpected(kExitUsageOrIo);
  const auto at = instant_of(args, *folded);
  if (!folded->state.organizations.contains(request.org)) {
    print_problem(args,
                  api::problem_json(commands::Code::not_found, "", "organization " + request.org + " does not exist"));
    return std::unexpected(kExitRejected);
  }
  return api::check_json(projections::check(folded->state, request, at), folded->as_of_position, explain);
}

}  // namespace

int check_command(const Args& raw) {
  const CliArgs args(raw, with_remote({{"data", "org", "user", "action", "product", "scope", "resource", "as-of", "at"},
                                       {"explain", "json"}}));
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

  const auto found = check_body(args, request);
  if (!found) return found.error();
  const auto& body = *found;
  const bool allowed = body["allowed"].get<bool>();
  if (args.flag("json")) {
    std::printf("%s\n", body.dump().c_str());
  } else {
    std::printf("%s (as of position %llu)\n", allowed ? "allowed" : "denied",
                body["as_of_position"].get<unsigned long long>());
    for (const auto& reason : body["because"]) {
      std::string why = reason["kind"].get<std::string>();
      if (reason.contains("role")) why += " " + reason["role"].get<std::string>();
      if (reason.contains("team")) why += " " + reason["team"].get<std::string>();
      else if (reason.contains("grant")) why += " " + reason["grant"].get<std::string>();
      std::printf("  because %s since position %llu\n", why.c_str(), reason["since_position"].get<unsigned long long>());
    }
    if (!allowed && body.contains("missing")) {
      for (const auto& missing : body["missing"]) std::printf("  missing: %s\n", missing.get<std::string>().c_str());
    }
  }
  return allowed ? kExitOk : kExitRejected;
}

}  // namespace orgledger::tools
