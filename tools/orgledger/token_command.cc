// `orgledger token create --name N --scopes a,b [--json]`: creates an API token and prints it once;
// the store keeps only its SHA-256. Works beside a running server (through its admin socket) and
// without one (directly in the data directory).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "data_dir.h"
#include "orgledger/api/admin_socket.h"
#include "orgledger/api/token_store.h"
#include "orgledger/ledger/ledger.h"
#include "subcommands.h"

namespace orgledger::tools {

int token_command(const Args& raw) {
  const CliArgs args(raw, {{"data", "name", "scopes"}, {"json"}});
  if (args.positional().size() != 1 || args.positional().front() != "create")
    throw UsageError("the only action is 'token create'");
  const auto name = args.value("name");
  const auto scopes_text = args.value("scopes");
  if (!name) throw UsageError("--name is required");
  if (!scopes_text) throw UsageError("--scopes is required (write, read, audit, abuse:reporter, admin)");
  if (!api::valid_token_name(*name)) throw UsageError("--name is 1 to 64 of A-Z a-z 0-9 . _ -");
  auto scopes = api::parse_scopes(*scopes_text);
  if (!scopes) throw UsageError(scopes.error());
  const std::string directory = data_directory(args);

  std::expected<std::string, std::string> token = std::unexpected(std::string());
  if (auto via_server = api::create_token_via_server(api::admin_socket_path(directory), *name, *scopes_text)) {
    token = std::move(*via_server);
  } else {
    auto ledger = ledger::Ledger::open(directory);
    if (!ledger) {
      std::fprintf(stderr, "orgledger token: %s\n", ledger.error().message.c_str());
      return kExitUsageOrIo;
    }
    auto store = api::TokenStore::open(**ledger);
    if (!store) {
      std::fprintf(stderr, "orgledger token: %s\n", store.error().c_str());
      return kExitUsageOrIo;
    }
    token = (*store)->create(*name, *scopes, ledger::system_clock().now());
  }
  if (!token) {
    std::fprintf(stderr, "orgledger token: %s\n", token.error().c_str());
    return kExitUsageOrIo;
  }
  if (args.flag("json")) {
    nlohmann::ordered_json out;
    out["token"] = *token;
    out["name"] = *name;
    out["scopes"] = nlohmann::json::array();
    for (auto scope : *scopes) out["scopes"].push_back(api::to_string(scope));
    std::printf("%s\n", out.dump().c_str());
  } else {
    std::printf("%s\n", token->c_str());
    std::fprintf(stderr, "token '%s' created; it is shown this once: only its SHA-256 is stored\n", name->c_str());
  }
  return kExitOk;
}

}  // namespace orgledger::tools
