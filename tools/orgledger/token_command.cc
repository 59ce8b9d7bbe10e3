// `orgledger token create --name N --scopes a,b [--principal P] [--act-as A,B] [--expires-in D] [--json]`,
// `token list [--json]`, `token revoke NAME`: API tokens and their record (D4, D5). Each works
// beside a running server (through its admin socket) and without one (on the data directory); the
// operator recorded as the events' actor is `local:<OS user name>` either way.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "data_dir.h"
#include "orgledger/api/admin_socket.h"
#include "orgledger/api/token_requests.h"
#include "orgledger/api/token_store.h"
#include "orgledger/ledger/ledger.h"
#include "subcommands.h"

namespace orgledger::tools {
namespace {

using Json = nlohmann::json;

Json request_of(const CliArgs& args) {
  const auto& action = args.positional().front();
  if (action == "list") {
    if (args.positional().size() != 1) throw UsageError("token list takes no argument");
    return Json{{"op", "list_tokens"}};
  }
  if (action == "revoke") {
    if (args.positional().size() != 2) throw UsageError("token revoke NAME");
    return Json{{"op", "revoke_token"}, {"name", args.positional()[1]}};
  }
  if (action != "create" || args.positional().size() != 1) throw UsageError("token create|list|revoke");
  const auto name = args.value("name");
  const auto scopes = args.value("scopes");
  if (!name) throw UsageError("--name is required");
  if (!scopes) throw UsageError("--scopes is required (write, read, audit, abuse:reporter, personal_data, admin)");
  if (!api::valid_token_name(*name)) throw UsageError("--name is 1 to 64 of A-Z a-z 0-9 . _ -");
  if (auto parsed = api::parse_scopes(*scopes); !parsed) throw UsageError(parsed.error());
  Json request{{"op", "create_token"}, {"name", *name}, {"scopes", *scopes}};
  if (auto principal = args.value("principal")) request["principal"] = *principal;
  if (auto act_as = args.value("act-as")) request["act_as"] = *act_as;
  if (auto expires_in = args.value("expires-in")) {
    if (!api::parse_duration(*expires_in)) throw UsageError("--expires-in is a number and d, h, m or s (90d, 12h, 30m, 45s)");
    request["expires_in"] = *expires_in;
  }
  return request;
}

// The answer of the running server, or of the data directory itself when no server runs.
std::expected<Json, std::string> answer_of(const std::string& directory, const Json& request) {
  if (auto via_server = api::ask_admin_socket(api::admin_socket_path(directory), request)) return std::move(*via_server);
  auto ledger = ledger::Ledger::open(directory);
  if (!ledger) return std::unexpected(ledger.error().message);
  auto store = api::TokenStore::open(**ledger);
  if (!store) return std::unexpected(store.error().message);
  return api::run_token_request(**store, request, api::local_principal(), ledger::system_clock().now());
}

void print_human(const Json& request, const Json& answer) {
  const auto op = request["op"].get<std::string>();
  if (op == "create_token") {
    std::printf("%s\n", answer["token"].get<std::string>().c_str());
    std::fprintf(stderr, "token '%s' created for %s; it is shown this once: only its SHA-256 is stored\n",
                 answer["name"].get<std::string>().c_str(), answer["principal"].get<std::string>().c_str());
    return;
  }
  const Json entries = op == "list_tokens" ? answer["tokens"] : Json::array({answer});
  for (const auto& entry : entries) {
    auto text_or = [&](const char* key, const char* absent) {
      return entry[key].is_string() ? entry[key].get<std::string>() : std::string(absent);
    };
    std::string scopes, act_as;
    for (const auto& scope : entry["scopes"]) scopes += (scopes.empty() ? "" : ",") + scope.get<std::string>();
    for (const auto& actor : entry["act_as"]) act_as += (act_as.empty() ? "" : ",") + actor.get<std::string>();
    std::printf("%s  principal %s  scopes %s  act-as %s  created %s  expires %s  %s\n",
                entry["name"].get<std::string>().c_str(), entry["principal"].get<std::string>().c_str(), scopes.c_str(),
                act_as.c_str(), entry["created_at"].get<std::string>().c_str(), text_or("expires_at", "never").c_str(),
                entry["revoked_at"].is_string() ? ("revoked " + entry["revoked_at"].get<std::string>()).c_str() : "active");
  }
}

}  // namespace

int token_command(const Args& raw) {
  const CliArgs args(raw, {{"data", "name", "scopes", "principal", "act-as", "expires-in"}, {"json"}});
  if (args.positional().empty()) throw UsageError("token create|list|revoke");
  const Json request = request_of(args);
  auto answer = answer_of(data_directory(args), request);
  if (!answer) {
    std::fprintf(stderr, "orgledger token: %s\n", answer.error().c_str());
    return kExitUsageOrIo;
  }
  if (answer->contains("error")) {
    const auto code = answer->value("code", std::string("unavailable"));
    std::fprintf(stderr, "orgledger token: %s: %s\n", code.c_str(), (*answer)["error"].get<std::string>().c_str());
    // API.md: a refusal (not_active, already_exists, not_found) is 1; usage and I/O are 2.
    return code == "invalid_argument" || code == "unavailable" ? kExitUsageOrIo : kExitRejected;
  }
  if (args.flag("json")) {
    std::printf("%s\n", (request["op"] == "list_tokens" ? (*answer)["tokens"] : *answer).dump().c_str());
  } else {
    print_human(request, *answer);
  }
  return kExitOk;
}

}  // namespace orgledger::tools
