// GET /v1/tree/* and /v1/events?envelope=true (issue 14), as an outside auditor uses them: with no
// token, checking every answer with RFC 9162's verification algorithms (§2.1.3.2, §2.1.4.2),
// written here from the RFC, over leaves hashed from the events' stored bytes.
#include <openssl/sha.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <thread>

#include "orgledger/ledger/base64.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/signed_note.h"
#include "commands.h"
#include "legacy_events.h"
#include "orgledger/api/tree_json.h"
#include "rate_limiter.h"
#include "orgledger/ledger/event_codec.h"
#include "test_server.h"

using namespace orgledger;
using namespace std::string_literals;
using testing::HttpClient;
using testing::TestServer;

namespace {

using Bytes = std::string;

Bytes sha256(const Bytes& data) {
  Bytes out(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}
Bytes node(const Bytes& left, const Bytes& right) { return sha256("\x01" + left + right); }
Bytes hex_bytes(const std::string& hex) {
  auto hash = ledger::hash_from_hex(hex);
  REQUIRE(hash);
  return Bytes(reinterpret_cast<const char*>(hash->data()), hash->size());
}
std::string hex(const Bytes& bytes) {
  ledger::Hash hash{};
  std::copy(bytes.begin(), bytes.end(), hash.begin());
  return ledger::to_hex(hash);
}

// RFC 6962 §2.1: MTH over leaf hashes.
Bytes mth(const std::vector<Bytes>& leaves, std::size_t begin, std::size_t end) {
  if (end - begin == 1) return leaves[begin];
  std::size_t k = 1;
  while (k * 2 < end - begin) k *= 2;
  return node(mth(leaves, begin, begin + k), mth(leaves, begin + k, end));
}

// RFC 9162 §2.1.3.2: verifying an inclusion proof.
bool inclusion_verifies(std::uint64_t index, std::uint64_t size, const Bytes& leaf, const std::vector<Bytes>& path,
                        const Bytes& root) {
  if (index >= size) return false;
  std::uint64_t fn = index, sn = size - 1;
  Bytes r = leaf;
  for (const auto& p : path) {
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      r = node(p, r);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) { fn >>= 1; sn >>= 1; }
      }
    } else {
      r = node(r, p);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return sn == 0 && r == root;
}

// RFC 9162 §2.1.4.2: verifying a consistency proof.
bool consistency_verifies(std::uint64_t first, std::uint64_t second, const Bytes& first_root, const Bytes& second_root,
                          std::vector<Bytes> path) {
  if (first == second) return path.empty() && first_root == second_root;
  if (path.empty()) return false;
  if ((first & (first - 1)) == 0) path.insert(path.begin(), first_root);  // a power of two
  std::uint64_t fn = first - 1, sn = second - 1;
  while (fn & 1) { fn >>= 1; sn >>= 1; }
  Bytes fr = path[0], sr = path[0];
  for (std::size_t i = 1; i < path.size(); ++i) {
    const auto& c = path[i];
    if (sn == 0) return false;
    if ((fn & 1) || fn == sn) {
      fr = node(c, fr);
      sr = node(c, sr);
      if (!(fn & 1)) {
        while (!(fn & 1) && fn != 0) { fn >>= 1; sn >>= 1; }
      }
    } else {
      sr = node(sr, c);
    }
    fn >>= 1;
    sn >>= 1;
  }
  return fr == first_root && sr == second_root && sn == 0;
}

std::vector<Bytes> path_of(const nlohmann::json& json) {
  std::vector<Bytes> out;
  for (const auto& h : json) out.push_back(hex_bytes(h.get<std::string>()));
  return out;
}

// The leaf hashes of every event, from their stored bytes as /v1/events gives them.
std::vector<Bytes> leaves_of(TestServer& server) {
  HttpClient auditor(server.port(), server.token("audit,personal_data"));
  const auto page = auditor.get("/v1/events?limit=10000&envelope=true");
  REQUIRE(page.status == 200);
  const auto json = page.json();  // named: a range-for over a temporary's member would dangle
  std::vector<Bytes> leaves;
  for (const auto& event : json["events"]) {
    auto bytes = ledger::decode_base64(event["envelope"].get<std::string>());
    REQUIRE(bytes);
    leaves.push_back(sha256("\x00"s + *bytes));
  }
  return leaves;
}

void wait_signed(TestServer& server) {
  for (int i = 0; i < 500 && server.checkpoints().latest_size() < server.ledger().head().position; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  REQUIRE(server.checkpoints().latest_size() == server.ledger().head().position);
}

}  // namespace

TEST_CASE("GET /v1/tree/*: no token - the checkpoint verifies with the public key and is the root of the events' leaves", "[tree]") {
  TestServer server;
  server.given_acme();
  server.token("audit,personal_data");  // its TokenCreated (D5) is in the log before the checkpoint
  wait_signed(server);
  HttpClient anyone(server.port());
  const auto key = anyone.get("/v1/tree/public-key");
  REQUIRE(key.status == 200);
  auto verifier = ledger::parse_verifier_key(key.json()["verifier_key"].get<std::string>());
  REQUIRE(verifier);
  CHECK(verifier->name == key.json()["origin"]);
  CHECK(ledger::base64(std::span<const std::uint8_t>(verifier->key)) == key.json()["public_key"]);
  CHECK(key.json()["origin"].get<std::string>() == "orgledger.local/" + *server.ledger().log_id());

  const auto checkpoint = anyone.get("/v1/tree/checkpoint");
  REQUIRE(checkpoint.status == 200);
  CHECK(checkpoint.header("content-type").starts_with("text/plain"));
  auto note = ledger::parse_checkpoint(checkpoint.body);
  REQUIRE(note);
  CHECK(ledger::verify_checkpoint(*note, *verifier));
  const auto leaves = leaves_of(server);
  REQUIRE(note->checkpoint.size == leaves.size());
  CHECK(hex(mth(leaves, 0, leaves.size())) == ledger::to_hex(note->checkpoint.root));
}

TEST_CASE("GET /v1/tree/inclusion and /consistency: every proof of a 20-event log verifies by RFC 9162", "[tree]") {
  TestServer server;
  server.given_acme();
  const auto leaves = leaves_of(server);
  const std::uint64_t head = leaves.size();
  REQUIRE(head >= 12);
  HttpClient anyone(server.port());
  for (std::uint64_t size = 1; size <= head; ++size) {
    const Bytes root = mth(leaves, 0, size);
    for (std::uint64_t position = 1; position <= size; ++position) {
      const auto proof = anyone.get("/v1/tree/inclusion?position=" + std::to_string(position) + "&tree_size=" + std::to_string(size));
      REQUIRE(proof.status == 200);
      const auto json = proof.json();
      CHECK(json["position"] == position);
      CHECK(json["leaf_index"] == position - 1);
      CHECK(json["tree_size"] == size);
      CHECK(json["leaf_hash"] == hex(leaves[position - 1]));
      CHECK(json["root_hash"] == hex(root));
      CHECK(inclusion_verifies(position - 1, size, leaves[position - 1], path_of(json["path"]), root));
    }
    for (std::uint64_t from = 1; from <= size; ++from) {
      const auto proof = anyone.get("/v1/tree/consistency?from=" + std::to_string(from) + "&to=" + std::to_string(size));
      REQUIRE(proof.status == 200);
      const auto json = proof.json();
      CHECK(json["from_root"] == hex(mth(leaves, 0, from)));
      CHECK(json["to_root"] == hex(root));
      CHECK(consistency_verifies(from, size, mth(leaves, 0, from), root, path_of(json["path"])));
    }
  }
  // A proof that verifies is not one that would verify anything: a changed leaf does not.
  const auto proof = anyone.get("/v1/tree/inclusion?position=3&tree_size=" + std::to_string(head)).json();
  CHECK_FALSE(inclusion_verifies(2, head, leaves[3], path_of(proof["path"]), mth(leaves, 0, head)));
}

TEST_CASE("GET /v1/tree/inclusion: tree_size defaults to the latest checkpoint's, or the head for a newer event", "[tree]") {
  TestServer server;
  server.given_acme();
  wait_signed(server);
  HttpClient anyone(server.port());
  const auto signed_size = server.checkpoints().latest_size();
  CHECK(anyone.get("/v1/tree/inclusion?position=1").json()["tree_size"] == signed_size);
}

TEST_CASE("GET /v1/tree/*: positions and sizes that are not positive integers up to the head are invalid_argument", "[tree]") {
  TestServer server;
  server.given_acme();
  HttpClient anyone(server.port());
  const auto head = std::to_string(server.ledger().head().position);
  const auto beyond = std::to_string(server.ledger().head().position + 1);
  for (const std::string& target : std::vector<std::string>{"/v1/tree/inclusion", "/v1/tree/inclusion?position=0", "/v1/tree/inclusion?position=-1", "/v1/tree/inclusion?position=abc",
        "/v1/tree/inclusion?position=" + beyond, "/v1/tree/inclusion?position=1&tree_size=" + beyond,
        "/v1/tree/inclusion?position=5&tree_size=4", "/v1/tree/inclusion?position=1&tree_size=0",
        "/v1/tree/inclusion?position=1&other=2", "/v1/tree/consistency?from=1", "/v1/tree/consistency?to=3",
        "/v1/tree/consistency?from=4&to=3", "/v1/tree/consistency?from=0&to=3", "/v1/tree/consistency?from=1&to=" + beyond,
        "/v1/tree/consistency?from=1x&to=3", "/v1/tree/inclusion?position=18446744073709551616"}) {
    INFO(target);
    const auto answer = anyone.get(target);
    CHECK(answer.status == 400);
    CHECK(answer.json()["code"] == "invalid_argument");
  }
  CHECK(anyone.get("/v1/tree/consistency?from=" + head + "&to=" + head).status == 200);
  CHECK(anyone.post("/v1/tree/checkpoint", "").status == 405);
}

TEST_CASE("GET /v1/tree/*: behind a rate limit per client address (serve --public-rate-limit) - /healthz is not", "[tree]") {
  auto options = TestServer::quiet_options();
  options.public_rate_limit_per_minute = 3;
  TestServer server(options);
  for (int i = 0; i < 3; ++i) REQUIRE(server.ledger().append(testing::member_added("c" + std::to_string(i), "org:o", "u")));
  HttpClient anyone(server.port());
  for (int i = 0; i < 3; ++i) CHECK(anyone.get("/v1/tree/consistency?from=1&to=2").status == 200);
  const auto limited = anyone.get("/v1/tree/public-key");
  CHECK(limited.status == 429);
  CHECK(limited.json()["code"] == "rate_limited");
  CHECK(!limited.header("retry-after").empty());
  CHECK(anyone.get("/healthz").status == 200);
}

TEST_CASE("GET /v1/events?envelope=true: the stored bytes, which chain to the event's hash - only true or false", "[tree]") {
  TestServer server;
  server.given_acme();
  HttpClient auditor(server.port(), server.token("audit"));
  const auto page = auditor.get("/v1/events?limit=3&envelope=true").json();
  ledger::Hash previous{};
  for (const auto& event : page["events"]) {
    auto bytes = ledger::decode_base64(event["envelope"].get<std::string>());
    REQUIRE(bytes);
    CHECK(ledger::to_hex(ledger::chain_hash(previous, std::span(reinterpret_cast<const std::uint8_t*>(bytes->data()), bytes->size()))) ==
          event["hash"]);
    previous = *ledger::hash_from_hex(event["hash"].get<std::string>());
  }
  CHECK_FALSE(auditor.get("/v1/events?limit=3").json()["events"][0].contains("envelope"));
  CHECK_FALSE(auditor.get("/v1/events?limit=3&envelope=false").json()["events"][0].contains("envelope"));
  CHECK(auditor.get("/v1/events?limit=3&envelope=yes").status == 400);
}

TEST_CASE("GET /v1/events?envelope=true: an event holding personal data in clear (G4) shows its bytes only to personal_data", "[tree]") {
  TestServer server;
  auto legacy = testing::command("legacy-1", "svc:signup");
  ledger::add_event(legacy, "user:old", testing::clear_user_registered("old", "old@example.ch"));
  REQUIRE(server.ledger().append(std::move(legacy)));
  const auto position = std::to_string(server.ledger().head().position);
  const auto audit = HttpClient(server.port(), server.token("audit")).get("/v1/events?envelope=true&from=" + position).json();
  CHECK(audit["events"][0]["envelope"].is_null());
  const auto personal = HttpClient(server.port(), server.token("audit,personal_data")).get("/v1/events?envelope=true&from=" + position).json();
  REQUIRE(personal["events"][0]["envelope"].is_string());
  CHECK(ledger::decode_base64(personal["events"][0]["envelope"].get<std::string>())->find("old@example.ch") != std::string::npos);
}

TEST_CASE("inclusion proofs: tree_size defaults to the latest checkpoint's when it holds the position, else to the head", "[tree]") {
  TestServer server;
  for (int i = 0; i < 9; ++i) REQUIRE(server.ledger().append(testing::member_added("c" + std::to_string(i), "org:o", "u")));
  // As if the latest checkpoint were of size 6 (the head is 9 and a signer is a second behind).
  CHECK(api::inclusion_proof_json(server.ledger(), 4, std::nullopt, 6).value()["tree_size"] == 6);
  CHECK(api::inclusion_proof_json(server.ledger(), 6, std::nullopt, 6).value()["tree_size"] == 6);
  CHECK(api::inclusion_proof_json(server.ledger(), 7, std::nullopt, 6).value()["tree_size"] == 9);
  CHECK(api::inclusion_proof_json(server.ledger(), 7, 8, 6).value()["tree_size"] == 8);
  CHECK(api::inclusion_proof_json(server.ledger(), 9, 8, 6).error().code == ledger::ErrorCode::invalid_argument);
}

TEST_CASE("rate limiter: many one-off clients do not grow its map forever - clients still counted are kept", "[tree]") {
  api::RateLimiter limiter(1);  // one request a minute
  const auto start = api::RateLimiter::Clock::now();
  for (std::size_t i = 0; i < api::RateLimiter::kPruneAbove; ++i) REQUIRE_FALSE(limiter.admit("a" + std::to_string(i), start));
  CHECK(limiter.buckets() == api::RateLimiter::kPruneAbove);
  // A minute on, every bucket is full again (as good as new): the next client's arrival drops them.
  const auto later = start + std::chrono::seconds(61);
  REQUIRE_FALSE(limiter.admit("b0", later));
  CHECK(limiter.buckets() == 1);
  // Clients still being counted are never dropped: their limit holds.
  for (std::size_t i = 1; i <= api::RateLimiter::kPruneAbove + 10; ++i) REQUIRE_FALSE(limiter.admit("b" + std::to_string(i), later));
  CHECK(limiter.buckets() == api::RateLimiter::kPruneAbove + 11);
  CHECK(limiter.admit("b0", later));  // still limited
}
