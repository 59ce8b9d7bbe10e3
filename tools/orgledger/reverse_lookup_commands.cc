// `orgledger who-can --org O --action A [--product P]` and `orgledger what-can --org O --user U`
// (both with [--as-of X] [--at T] [--json]): the reverse lookups of API.md, complete.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "data_dir.h"
#include "orgledger/api/audit_json.h"
#include "orgledger/api/time_format.h"
#include "orgledger/projections/reverse_lookup.h"
#include "orgledger/replay/org_fold.h"
#include "query_support.h"
#include "remote_query.h"
#include "subcommands.h"

namespace orgledger::tools {
namespace {

// The organization's state as of --as-of (its streams only) and the instant of --at.
std::optional<std::pair<projections::Folded, ledger::Micros>> org_state(const CliArgs& args, const std::string& org,
                                                                        const char* subcommand) {
  const auto as_of = as_of_of(args);
  auto ledger = ledger::Ledger::open(data_directory(args), {.mode = ledger::OpenMode::read_only});
  if (!ledger) {
    std::fprintf(stderr, "orgledger %s: %s\n", subcommand, ledger.error().message.c_str());
    return std::nullopt;
  }
  auto folded = replay::fold_org_as_of(**ledger, org, as_of, ledger::system_clock().now());
  if (!folded) {
    std::fprintf(stderr, "orgledger %s: %s\n", subcommand, folded.error().message.c_str());
    return std::nullopt;
  }
  const auto at = instant_of(args, *folded);
  return std::pair{std::move(*folded), at};
}

std::string reasons_text(const api::Json& because) {
  std::string text;
  for (const auto& reason : because) {
    text += text.empty() ? "" : ", ";
    text += reason["kind"].get<std::string>();
    for (const char* detail : {"role", "team", "grant"}) {
      if (reason.contains(detail)) text += " " + reason[detail].get<std::string>();
    }
  }
  return text;
}

// Every page of a paginated route (`items` of each, following `next_cursor`) as one body, the way
// the local path answers whole.
std::expected<api::Json, int> all_pages(RemoteServer& server, const CliArgs& args, const Target& question,
                                        const char* items, const char* subcommand) {
  auto whole = remote_json(server, question, args, subcommand);
  while (whole && !(*whole)["next_cursor"].is_null()) {
    // A cursor pins the position and instant of the first page; the question goes with it.
    auto page =
        remote_json(server, Target(question).add("cursor", (*whole)["next_cursor"].get<std::string>()), args, subcommand);
    if (!page) return page;
    for (auto& item : (*page)[items]) (*whole)[items].push_back(std::move(item));
    (*whole)["next_cursor"] = (*page)["next_cursor"];
  }
  return whole;
}

bool not_found(const CliArgs& args, const projections::Folded& folded, const std::string& org) {
  if (folded.state.organizations.contains(org)) return false;
  print_problem(args, api::problem_json(commands::Code::not_found, "", "organization " + org + " does not exist"));
  return true;
}

// GET /v1/who-can, whole, from the data directory or the server.
std::expected<api::Json, int> who_can_body(const CliArgs& args, const std::string& org, projections::Action action) {
  if (auto server = RemoteServer::from_args(args)) {
    Target question("/v1/who-can");
    question.add("org", org).add("action", args.value("action")).add("product", args.value("product"));
    return all_pages(*server, args, question.add_as_of_at(args), "users", "who-can");
  }
  auto state = org_state(args, org, "who-can");
  if (!state) return std::unexpected(kExitUsageOrIo);
  if (not_found(args, state->first, org)) return std::unexpected(kExitRejected);
  api::Json out;
  out["org"] = org;
  out["action"] = *args.value("action");
  out["product"] = args.value("product") ? api::Json(*args.value("product")) : api::Json(nullptr);
  out["as_of_position"] = state->first.as_of_position;
  out["at"] = api::format_instant(state->second);
  out["users"] = api::who_can_users_json(
      projections::who_can(state->first.state, org, action, args.value("product"), state->second));
  out["next_cursor"] = nullptr;  // the command line answers whole
  return out;
}

// GET /v1/what-can, whole, from the data directory or the server.
std::expected<api::Json, int> what_can_body(const CliArgs& args, const std::string& org, const std::string& user) {
  if (auto server = RemoteServer::from_args(args)) {
    Target question("/v1/what-can");
    return all_pages(*server, args, question.add("org", org).add("user", user).add_as_of_at(args), "capabilities", "what-can");
  }
  auto state = org_state(args, org, "what-can");
  if (!state) return std::unexpected(kExitUsageOrIo);
  if (not_found(args, state->first, org)) return std::unexpected(kExitRejected);
  api::Json capabilities = api::Json::array();
  for (const auto& capability : projections::what_can(state->first.state, org, user, state->second)) {
    capabilities.push_back(api::capability_json(capability));
  }
  api::Json out;
  out["org"] = org;
  out["user"] = user;
  out["as_of_position"] = state->first.as_of_position;
  out["at"] = api::format_instant(state->second);
  out["capabilities"] = std::move(capabilities);
  out["next_cursor"] = nullptr;
  return out;
}

}  // namespace

int who_can_command(const Args& raw) {
  const CliArgs args(raw, with_remote({{"data", "org", "action", "product", "as-of", "at"}, {"json"}}));
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  if (!args.value("org") || !args.value("action")) throw UsageError("--org and --action are required");
  const auto action = projections::parse_action(*args.value("action"));
  if (!action) throw UsageError("unknown action '" + *args.value("action") + "'");
  if (*action == projections::Action::product_access && !args.value("product"))
    throw UsageError("product.access needs --product");
  const auto body = who_can_body(args, *args.value("org"), *action);
  if (!body) return body.error();
  if (args.flag("json")) {
    std::printf("%s\n", body->dump().c_str());
    return kExitOk;
  }
  for (const auto& user : (*body)["users"])
    std::printf("%-24s %s\n", user["user"].get<std::string>().c_str(), reasons_text(user["because"]).c_str());
  return kExitOk;
}

int what_can_command(const Args& raw) {
  const CliArgs args(raw, with_remote({{"data", "org", "user", "as-of", "at"}, {"json"}}));
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  if (!args.value("org") || !args.value("user")) throw UsageError("--org and --user are required");
  const auto body = what_can_body(args, *args.value("org"), *args.value("user"));
  if (!body) return body.error();
  if (args.flag("json")) {
    std::printf("%s\n", body->dump().c_str());
    return kExitOk;
  }
  for (const auto& capability : (*body)["capabilities"]) {
    std::string what = capability["action"].get<std::string>();
    if (capability.contains("product")) what += " " + capability["product"].get<std::string>();
    if (capability.contains("scope")) what += " " + capability["scope"].get<std::string>();
    std::printf("%-32s %s\n", what.c_str(), reasons_text(capability["because"]).c_str());
  }
  return kExitOk;
}

}  // namespace orgledger::tools
