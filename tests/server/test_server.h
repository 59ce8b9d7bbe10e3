// A real server for the tests: a ledger in a temp directory, the command processor, tokens, and
// the HTTP server on an ephemeral loopback port. Clients talk to it over real sockets.
#pragma once

#include <map>
#include <memory>
#include <string>

#include <nlohmann/json.hpp>

#include "http_client.h"
#include "orgledger/api/server.h"
#include "orgledger/api/token_store.h"
#include "orgledger/commands/processor.h"
#include "orgledger/ledger/checkpointer.h"
#include "orgledger/ledger/ledger.h"
#include "temp_dir.h"

namespace orgledger::testing {

class TestServer {
 public:
  // `env`: the file-system seam under the store (fault injection); null for the real one.
  explicit TestServer(api::ServerOptions options = quiet_options(), ledger::Env* env = nullptr);
  ~TestServer();

  static api::ServerOptions quiet_options() {
    api::ServerOptions options;
    options.port = 0;
    options.access_log = nullptr;
    return options;
  }

  std::uint16_t port() const { return server_->port(); }
  // A token with these scopes ("read,audit"), created once per scope list; it may act as anyone.
  const std::string& token(const std::string& scopes);
  // A token as `token create` makes it (D4, D5), by the operator local:test.
  std::expected<api::CreatedToken, api::Problem> create_token(const api::TokenSpec& spec);
  api::TokenStore& tokens() { return *tokens_; }
  ledger::Ledger& ledger() { return *ledger_; }
  commands::CommandProcessor& processor() { return *processor_; }
  const ledger::Checkpointer& checkpoints() const { return *checkpoints_; }
  const std::string& data_directory() const { return data_; }
  api::Server& server() { return *server_; }

  // POSTs `command` with an admin token and returns the answer.
  HttpReply submit(const nlohmann::json& command);
  // Users carol (legal representative), adam (administrator), cleo (collaborator), ezra (external)
  // in organization acme, with products p-mail (mail_service) and p-drive (kdrive): over HTTP.
  void given_acme();

 private:
  TempDir dir_;
  std::string data_;
  std::unique_ptr<ledger::Ledger> ledger_;
  std::unique_ptr<commands::CommandProcessor> processor_;
  std::unique_ptr<ledger::Checkpointer> checkpoints_;
  std::unique_ptr<api::TokenStore> tokens_;
  std::unique_ptr<api::Server> server_;
  std::map<std::string, std::string> by_scopes_;
};

}  // namespace orgledger::testing
