// Trust at the edge (DOMAIN.md D2, D4, D5; API.md tokens and errors), on a real server over real
// sockets: refusals never move the stream acted on, a token vouches only for the actors it may act
// as, every event says who vouched, tokens are on record and can be revoked or expire, and a token
// without write cannot fill the log.
#include <catch2/catch.hpp>

#include <openssl/sha.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "orgledger/ledger/clock.h"
#include "orgledger/ledger/event_codec.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/token_records.h"
#include "temp_dir.h"
#include "failing_file_system.h"
#include "test_server.h"

using namespace orgledger;
using namespace orgledger::testing;
using nlohmann::json;

namespace {

// A token as `token create` makes it, with the given act_as (absent: the principal alone).
std::string token_for(TestServer& server, const std::string& name, const std::string& scopes, const std::string& principal,
                      std::optional<std::vector<std::string>> act_as = std::nullopt,
                      std::optional<ledger::Micros> expires_in = std::nullopt) {
  auto created = server.create_token({.name = name,
                                      .scopes = api::parse_scopes(scopes).value(),
                                      .principal = principal,
                                      .act_as = std::move(act_as),
                                      .expires_in = expires_in});
  REQUIRE(created);
  return created->secret;
}

json product_grant(const std::string& actor) {
  return {{"type", "GrantProductAccess"}, {"actor", actor}, {"org", "acme"}, {"user", "cleo"}, {"product", "p-mail"}};
}

std::size_t stream_length(TestServer& server, const std::string& stream) {
  return server.ledger().read_stream(stream, 1, 100000).value().size();
}

// Every byte of every file under `directory`.
std::string all_bytes_under(const std::string& directory) {
  std::string bytes;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(directory)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream file(entry.path(), std::ios::binary);
    bytes.append(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
  }
  return bytes;
}

}  // namespace

TEST_CASE("D2: refusals go to rejected:<S> - a read token's refusal and an R3 refusal leave org:acme's version unchanged") {
  TestServer server;
  server.given_acme();
  const auto version = server.ledger().stream_version("org:acme").value();
  HttpClient reader(server.port(), server.token("read"));
  HttpClient writer(server.port(), server.token("write"));

  // A token without write (D2), then a rule's refusal (R3: carol is the last legal representative).
  CHECK(reader.post("/v1/commands", product_grant("adam").dump()).status == 403);
  const auto last = writer.post("/v1/commands", json{{"type", "LeaveOrganization"}, {"actor", "carol"}, {"org", "acme"}}.dump());
  CHECK(last.status == 409);
  CHECK(last.json()["rule"] == "R3");
  CHECK(server.ledger().stream_version("org:acme").value() == version);
  const auto refusals = server.ledger().read_stream("rejected:org:acme", 1, 10).value();
  REQUIRE(refusals.size() == 2);
  CHECK(refusals[0].type_name() == "CommandRejected");
  CHECK(refusals[1].envelope().payload_as_CommandRejected()->rule()->str() == "R3");

  // A writer holding the version from before the refusals still gets through.
  json command = product_grant("adam");
  command["expected_version"] = version;
  const auto granted = writer.post("/v1/commands", command.dump());
  REQUIRE(granted.status == 200);
  CHECK(granted.json()["stream_version"] == version + 1);
}

TEST_CASE("D4: a token acts only as its act_as allows: exact, prefix *, and * - never as svc:scheduler") {
  TestServer server;
  server.given_acme();
  const auto exact = token_for(server, "exact", "write", "adam");  // act_as: the principal alone
  const auto agents = token_for(server, "desk", "write", "svc:desk", std::vector<std::string>{"agent:*", "svc:desk"});
  const auto any = token_for(server, "platform", "admin", "svc:platform", std::vector<std::string>{"*"});
  const auto admin_alone = token_for(server, "ops", "admin", "svc:ops");  // admin does not widen act_as

  SECTION("exact") {
    HttpClient client(server.port(), exact);
    CHECK(client.post("/v1/commands", product_grant("adam").dump()).status == 200);
    const auto head = server.ledger().head().position;
    const auto other = client.post("/v1/commands", product_grant("carol").dump());
    CHECK(other.status == 403);
    CHECK(other.json()["rule"] == "D4");
    // Recorded as D2 says: the claimed actor, and the token that claimed it.
    REQUIRE(server.ledger().head().position == head + 1);
    const auto entry = server.ledger().read(head + 1, 1).value().front();
    CHECK(entry.stream() == "rejected:org:acme");
    CHECK(entry.actor() == "carol");
    CHECK(entry.via() == ledger::Via{"adam", "exact"});
    CHECK(entry.envelope().payload_as_CommandRejected()->rule()->str() == "D4");
    // Another principal's command id gives no answer of it to a token that may not act as its actor.
    json theirs{{"type", "SetBillingRights"}, {"actor", "carol"}, {"org", "acme"}, {"user", "cleo"}, {"billing", true}};
    theirs["command_id"] = "carol-billing";
    HttpClient platform(server.port(), any);
    REQUIRE(platform.post("/v1/commands", theirs.dump()).status == 200);
    const auto replayed = client.post("/v1/commands", theirs.dump());
    CHECK(replayed.status == 403);
    CHECK(replayed.json()["rule"] == "D4");
    CHECK_FALSE(replayed.json().contains("duplicate"));
  }
  SECTION("prefix") {
    HttpClient client(server.port(), agents);
    CHECK(client.post("/v1/commands", json{{"type", "AssignSupportTicket"}, {"actor", "agent:zoe"}, {"ticket", "T-1"}, {"agent", "agent:zoe"}}.dump())
              .status == 200);
    CHECK(client.post("/v1/commands", product_grant("adam").dump()).json()["rule"] == "D4");
    CHECK(client.post("/v1/commands", json{{"type", "AssignSupportTicket"}, {"actor", "agentx"}, {"ticket", "T-2"}, {"agent", "agent:zoe"}}.dump())
              .json()["rule"] == "D4");
  }
  SECTION("any, but never the scheduler") {
    HttpClient client(server.port(), any);
    CHECK(client.post("/v1/commands", product_grant("adam").dump()).status == 200);
    const auto scheduler = client.post(
        "/v1/commands", json{{"type", "RevokeProductAccess"}, {"actor", "svc:scheduler"}, {"org", "acme"}, {"user", "cleo"}, {"product", "p-mail"}}.dump());
    CHECK(scheduler.status == 403);
    CHECK(scheduler.json()["rule"] == "D4");
  }
  SECTION("admin is every scope, not every actor") {
    HttpClient client(server.port(), admin_alone);
    CHECK(client.post("/v1/commands", product_grant("adam").dump()).json()["rule"] == "D4");
  }
  SECTION("principals the server keeps for itself are refused") {
    for (const char* principal : {"svc:scheduler", "local:root", "bad id"}) {
      INFO(principal);
      auto refused = server.create_token({.name = "x", .scopes = {api::Scope::read}, .principal = principal});
      REQUIRE_FALSE(refused);
      CHECK(refused.error().code == "invalid_argument");
    }
  }
}

TEST_CASE("D4: every event records via {principal, token}, shown in the events' JSON") {
  TestServer server;
  server.given_acme();  // through the test's own "admin" token (principal svc:t0)
  const auto token = token_for(server, "manager-1", "write,audit", "svc:manager", std::vector<std::string>{"*"});
  HttpClient client(server.port(), token);
  REQUIRE(client.post("/v1/commands", product_grant("adam").dump()).status == 200);
  const auto events = client.get("/v1/events").json()["events"];
  REQUIRE(events.size() > 5);
  for (const auto& event : events) {
    INFO(event.dump());
    REQUIRE(event["via"].is_object());
    CHECK(event["via"]["principal"].is_string());
  }
  CHECK(events.back()["via"] == json{{"principal", "svc:manager"}, {"token", "manager-1"}});
  // D5: a token's creation is recorded by the operator, with no token vouching for it.
  const auto created = server.ledger().read_stream("token:manager-1", 1, 10).value();
  REQUIRE(created.size() == 1);
  CHECK(created[0].via() == ledger::Via{"local:test", std::nullopt});
}

TEST_CASE("D5: tokens on record, revoked across a running server (401 from the next request, SSE closed), never their secret") {
  TestServer server;
  server.given_acme();
  const auto secret = token_for(server, "auditor", "read,audit", "svc:audit");
  HttpClient client(server.port(), secret);
  REQUIRE(client.get("/v1/orgs/acme").status == 200);
  SseReader stream(server.port(), "/v1/events/subscribe", secret);
  REQUIRE(stream.status() == 200);
  REQUIRE(stream.next(std::chrono::seconds(5)));

  auto revoked = server.tokens().revoke("auditor", "local:test", ledger::system_clock().now());
  REQUIRE(revoked);
  CHECK(revoked->revoked_at);
  const auto refused = client.get("/v1/orgs/acme");
  CHECK(refused.status == 401);
  CHECK(refused.json()["code"] == "unauthenticated");
  // The open stream ends within a second of the revocation (it may first deliver what is queued).
  bool ended = false;
  for (int i = 0; i < 200 && !ended; ++i) ended = !stream.next(std::chrono::milliseconds(1500)) && stream.closed_by_server();
  CHECK(ended);

  // Revoking twice: not_active; an unknown name: not_found; a revoked name is never reused.
  CHECK(server.tokens().revoke("auditor", "local:test", 0).error().code == "not_active");
  CHECK(server.tokens().revoke("nobody", "local:test", 0).error().code == "not_found");
  CHECK(server.create_token({.name = "auditor", .scopes = {api::Scope::read}}).error().code == "already_exists");

  const auto record = server.ledger().read_stream("token:auditor", 1, 10).value();
  REQUIRE(record.size() == 2);
  CHECK(record[0].type_name() == "TokenCreated");
  CHECK(record[1].type_name() == "TokenRevoked");
  // Neither the secret nor its hash is anywhere in the log (the hash is only in the tokens family).
  ledger::Hash digest{};
  SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), digest.data());
  const std::string hash_raw(reinterpret_cast<const char*>(digest.data()), digest.size());
  const std::string hash_hex = ledger::to_hex(digest);
  const auto log = server.ledger().read(1, 100000).value();
  for (const auto& event : log) {
    CHECK(event.stored().find(secret) == std::string::npos);
    CHECK(event.stored().find(hash_hex) == std::string::npos);
    CHECK(event.stored().find(hash_raw) == std::string::npos);
  }
  CHECK(all_bytes_under(server.data_directory()).find(secret) == std::string::npos);
}

TEST_CASE("D5: an expired token is refused from its expiry on") {
  TestServer server;
  const auto secret = token_for(server, "brief", "read", "svc:brief", std::nullopt, 1'000'000);  // 1 s
  HttpClient client(server.port(), secret);
  CHECK(client.get("/v1/orgs/none").status == 404);  // authenticated
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  CHECK(client.get("/v1/orgs/none").status == 401);
  const auto listed = server.tokens().list();
  REQUIRE(listed.size() == 1);
  CHECK(listed[0].expires_at == listed[0].created_at + 1'000'000);
}

TEST_CASE("D2: a token without write has its refusals recorded up to its rate - beyond, 429 and no entry") {
  auto options = TestServer::quiet_options();
  options.refusal_limit_per_minute = 5;
  TestServer server(options);
  server.given_acme();
  HttpClient reader(server.port(), server.token("read"));
  int recorded = 0, limited = 0;
  for (int i = 0; i < 30; ++i) {
    const auto answer = reader.post("/v1/commands", product_grant("adam").dump());
    if (answer.status == 403) ++recorded;
    if (answer.status == 429) {
      ++limited;
      CHECK(answer.json()["code"] == "rate_limited");
      CHECK_FALSE(answer.header("retry-after").empty());
    }
  }
  CHECK(recorded == 5);
  CHECK(limited == 25);
  CHECK(stream_length(server, "rejected:org:acme") == 5);
  // A writer is not held back by another token's flood.
  HttpClient writer(server.port(), server.token("write"));
  CHECK(writer.post("/v1/commands", product_grant("adam").dump()).status == 200);
}

TEST_CASE("Every answer to POST /v1/commands carries its command_id: the client's or one the server made") {
  TestServer server;
  server.given_acme();
  HttpClient client(server.port(), server.token("write"));
  json mine = product_grant("adam");
  mine["command_id"] = "grant-cleo-1";
  CHECK(client.post("/v1/commands", mine.dump()).json()["command_id"] == "grant-cleo-1");
  const auto made = client.post("/v1/commands", json{{"type", "RevokeProductAccess"}, {"actor", "adam"}, {"org", "acme"}, {"user", "cleo"}, {"product", "p-mail"}}.dump());
  REQUIRE(made.status == 200);
  const std::string id = made.json()["command_id"];
  CHECK_FALSE(id.empty());
  CHECK(server.ledger().find_command(id).value().has_value());
  const auto refused = client.post("/v1/commands", json{{"type", "LeaveOrganization"}, {"actor", "carol"}, {"org", "acme"}, {"command_id", "leave-1"}}.dump());
  CHECK(refused.status == 409);
  CHECK(refused.json()["command_id"] == "leave-1");
  const auto malformed = client.post("/v1/commands", R"({"type": "Nope", "command_id": "bad-1"})");
  CHECK(malformed.status == 400);
  CHECK(malformed.json()["command_id"] == "bad-1");
  const auto not_json = client.post("/v1/commands", "{");
  CHECK(not_json.status == 400);
  CHECK(not_json.json()["command_id"].is_string());
}

TEST_CASE("D4: a token stored before principals reads as svc:<name> acting as anyone, and still authenticates") {
  TempDir dir;
  auto log = ledger::Ledger::open(dir.path()).value();
  // The record exactly as the build before D4 wrote it (name, scopes, created_at), under the
  // SHA-256 of its token.
  const std::string secret = "olt_" + std::string(64, 'a');
  ledger::Hash digest{};
  SHA256(reinterpret_cast<const unsigned char*>(secret.data()), secret.size(), digest.data());
  REQUIRE(ledger::TokenRecords(*log).put(digest, R"({"name":"old","scopes":["write","read"],"created_at":1})"));
  auto tokens = api::TokenStore::open(*log);
  REQUIRE(tokens);
  const auto info = (*tokens)->authenticate(secret, ledger::system_clock().now());
  REQUIRE(info);
  CHECK(info->principal == "svc:old");
  CHECK(info->act_as == std::vector<std::string>{"*"});
  CHECK(info->may_act_as("carol"));
  CHECK_FALSE(info->may_act_as("svc:scheduler"));
  CHECK_FALSE(info->expires_at);
  // Revocable like any other; the name stays taken.
  REQUIRE((*tokens)->revoke("old", "local:test", 2));
  CHECK_FALSE((*tokens)->authenticate(secret, 3));
}

TEST_CASE("POST /v1/commands: the store failing while a command is made durable is 503 with outcome unknown and its command_id") {
  auto disk = std::make_shared<FailingWalFileSystem>();
  ledger::EnvWith env({.file_system = disk});
  TestServer server(TestServer::quiet_options(), &env);
  server.given_acme();
  HttpClient client(server.port(), server.token("write"));
  disk->failing = true;
  json command = product_grant("adam");
  command["command_id"] = "grant-during-failure";
  const auto unknown = client.post("/v1/commands", command.dump());
  CHECK(unknown.status == 503);
  CHECK(unknown.json()["code"] == "unavailable");
  CHECK(unknown.json()["outcome"] == "unknown");
  CHECK(unknown.json()["command_id"] == "grant-during-failure");
  CHECK_FALSE(unknown.header("retry-after").empty());
  // Fail-stop: the next command is a definite 503, with no outcome to learn; health says so.
  disk->failing = false;
  const auto later = client.post("/v1/commands", product_grant("adam").dump());
  CHECK(later.status == 503);
  CHECK_FALSE(later.json().contains("outcome"));
  CHECK(HttpClient(server.port()).get("/healthz").status == 503);
}

TEST_CASE("D5: a revocation on record whose token record a crash left unmarked still revokes at the next open") {
  TempDir dir;
  std::string secret;
  {
    auto log = ledger::Ledger::open(dir.path()).value();
    auto tokens = api::TokenStore::open(*log).value();
    secret = tokens->create({.name = "ops", .scopes = {api::Scope::read}}, "local:test", 1).value().secret;
    // The crash: TokenRevoked is in the log (as revoke appends it first), the record never marked.
    ledger::CommandAppend revoked;
    revoked.command_id = "token/ops/revoked";
    revoked.actor = "local:test";
    revoked.via = ledger::Via{"local:test", std::nullopt};
    ledger::add_event(revoked, "token:ops", schema::TokenRevokedT{.token = "ops"});
    REQUIRE(log->append(std::move(revoked)));
    CHECK(tokens->authenticate(secret, 2));  // this process's store has not seen it
  }
  auto log = ledger::Ledger::open(dir.path()).value();
  auto tokens = api::TokenStore::open(*log).value();
  CHECK_FALSE(tokens->authenticate(secret, ledger::system_clock().now()));
  CHECK(tokens->list().front().revoked_at);
}
