#include "test_server.h"

#include <catch2/catch.hpp>

#include "orgledger/ledger/clock.h"

namespace orgledger::testing {

TestServer::TestServer(api::ServerOptions options, ledger::Env* env) : data_(dir_.sub("data")) {
  auto ledger = ledger::Ledger::open(data_, {.env = env});
  REQUIRE(ledger);
  ledger_ = std::move(*ledger);
  auto processor = commands::CommandProcessor::start(*ledger_, ledger::system_clock());
  REQUIRE(processor);
  processor_ = std::move(*processor);
  // Checkpoints every 50 ms (1 s in production), so tests need not wait for them.
  auto checkpoints = ledger::Checkpointer::start(*ledger_, {.interval = std::chrono::milliseconds(50)});
  REQUIRE(checkpoints);
  checkpoints_ = std::move(*checkpoints);
  auto tokens = api::TokenStore::open(*ledger_);
  REQUIRE(tokens);
  tokens_ = std::move(*tokens);
  options.data_directory = data_;
  auto server = api::Server::start(
      options, {*ledger_, processor_.get(), *tokens_, projections::BusinessCalendar::geneva(), ledger::system_clock(),
                checkpoints_.get()});
  REQUIRE(server);
  server_ = std::move(*server);
}

TestServer::~TestServer() {
  server_.reset();
  processor_.reset();
  checkpoints_.reset();
  ledger_.reset();
}

const std::string& TestServer::token(const std::string& scopes) {
  auto it = by_scopes_.find(scopes);
  if (it != by_scopes_.end()) return it->second;
  auto parsed = api::parse_scopes(scopes);
  REQUIRE(parsed);
  std::string name = "t" + std::to_string(by_scopes_.size());
  // These tokens may act as anyone (D4's act_as "*"): the tests that use them are about other
  // rules; the D4 tests make tokens of their own with create_token.
  auto created = create_token({.name = name, .scopes = *parsed, .act_as = std::vector<std::string>{"*"}});
  REQUIRE(created);
  return by_scopes_.emplace(scopes, created->secret).first->second;
}

std::expected<api::CreatedToken, api::Problem> TestServer::create_token(const api::TokenSpec& spec) {
  return tokens_->create(spec, "local:test", ledger::system_clock().now());
}

HttpReply TestServer::submit(const nlohmann::json& command) {
  HttpClient client(port(), token("admin"));
  return client.post("/v1/commands", command.dump());
}

void TestServer::given_acme() {
  for (const char* user : {"carol", "adam", "cleo", "ezra", "xena"}) {
    REQUIRE(submit({{"type", "RegisterUser"},
                    {"actor", "svc:signup"},
                    {"user", user},
                    {"login", std::string(user) + "@example.ch"}})
                .status == 200);
  }
  REQUIRE(submit({{"type", "CreateOrganization"}, {"actor", "carol"}, {"org", "acme"}, {"name", "Acme"}}).status ==
          200);
  for (auto [user, role] :
       {std::pair{"adam", "administrator"}, std::pair{"cleo", "collaborator"}, std::pair{"ezra", "external"}}) {
    REQUIRE(
        submit({{"type", "AddMember"}, {"actor", "carol"}, {"org", "acme"}, {"user", user}, {"role", role}}).status ==
        200);
  }
  for (auto [product, kind] : {std::pair{"p-mail", "mail_service"}, std::pair{"p-drive", "kdrive"}}) {
    REQUIRE(submit({{"type", "RegisterProduct"},
                    {"actor", "svc:billing"},
                    {"org", "acme"},
                    {"product", product},
                    {"kind", kind}})
                .status == 200);
  }
}

}  // namespace orgledger::testing
