// Costly queries held in check (issue 11): whole-state work runs on a bounded pool of its own, a
// token holds a bounded share of it, a client that leaves cancels its work, and a repeated global
// as-of question is answered from the cache. A real server, real sockets. The global as-of asked
// is a user's (U1: the organizations they belong to, a whole past state); abuse reports as of a
// past point fold only the reports' streams (abuse_handlers.cc).
#include <catch2/catch.hpp>

#include <future>
#include <regex>

#include "http_client.h"
#include "raw_connection.h"
#include "test_server.h"

namespace orgledger::testing {
namespace {

using namespace std::chrono_literals;

// `users` more RegisterUser commands, submitted together (one group commit takes many): a log
// long enough that a fold of it takes a while.
void grow_log(TestServer& server, int users) {
  std::atomic<int> left{users};
  std::promise<void> all_done;
  std::atomic<int> failed{0};
  for (int i = 0; i < users; ++i) {
    commands::Command command{.actor = "svc:signup", .body = commands::RegisterUser{"bulk" + std::to_string(i), "bulk" + std::to_string(i) + "@example.ch"}};
    server.processor().submit(std::move(command), [&](commands::Outcome outcome) {
      if (!outcome) ++failed;
      if (--left == 0) all_done.set_value();
    });
  }
  all_done.get_future().wait();
  REQUIRE(failed.load() == 0);
}

api::ServerOptions costly_options() {
  auto options = TestServer::quiet_options();
  options.costly_threads = 1;
  options.as_of_cache_entries = 0;  // every question folds
  return options;
}

// Sends `count` requests at once on connections of their own and returns the raw answers.
std::vector<std::string> burst(std::uint16_t port, const std::vector<std::string>& requests) {
  std::vector<RawConnection> connections;
  for (std::size_t i = 0; i < requests.size(); ++i) {
    connections.emplace_back(port);
    REQUIRE(connections.back().connected());
  }
  for (std::size_t i = 0; i < requests.size(); ++i) REQUIRE(connections[i].send(requests[i]));
  std::vector<std::string> answers;
  for (auto& connection : connections) answers.push_back(connection.read_until_close(60s));
  return answers;
}

std::string header_of(const std::string& answer, const std::string& name) {
  std::smatch found;
  if (!std::regex_search(answer, found, std::regex("\r\n" + name + ": ([^\r]*)\r\n", std::regex::icase))) return "";
  return found[1];
}

TEST_CASE("abandoned costly queries are cancelled, and a legitimate client is answered", "[costly]") {
  auto options = costly_options();
  options.costly_queue = 16;
  options.costly_per_token = 64;
  TestServer server(options);
  server.given_acme();
  grow_log(server, 20'000);
  const auto& reader = server.token("read");
  const auto head = server.ledger().head().position;

  // 40 global as-of questions, each at another point, whose clients leave at once.
  std::vector<RawConnection> abandoned;
  for (int i = 0; i < 40; ++i) {
    abandoned.emplace_back(server.port());
    REQUIRE(abandoned.back().connected());
    REQUIRE(abandoned.back().send(get_request("/v1/users/bulk1?as_of=" + std::to_string(head - i), reader)));
  }
  for (auto& connection : abandoned) connection.close(true);

  HttpClient client(server.port(), reader);
  CHECK(client.get("/v1/orgs/acme/members").status == 200);
  CHECK(client.get("/v1/check?org=acme&user=adam&action=org.manage_members").status == 200);
  // Work was cancelled (skipped in the queue or stopped in its fold), not done for nobody.
  double cancelled = 0;
  for (int tries = 0; tries < 300 && cancelled <= 0; ++tries) {
    cancelled = metric(server.port(), reader, "orgledger_costly_cancelled_total");
    if (cancelled <= 0) std::this_thread::sleep_for(100ms);
  }
  CHECK(cancelled > 0);
  // Once the abandoned work has left the queue (each skipped in its turn: the first cancellation
  // says nothing of the others still queued), the pool is free again: a costly question is answered.
  double queued = 1;
  for (int tries = 0; tries < 300 && queued != 0; ++tries) {
    queued = metric(server.port(), reader, "orgledger_costly_queued");
    if (queued != 0) std::this_thread::sleep_for(100ms);
  }
  CHECK(queued == 0);
  CHECK(client.get("/v1/users/bulk1?as_of=" + std::to_string(head)).status == 200);
}

TEST_CASE("a token past its share of costly queries gets 429 with Retry-After", "[costly]") {
  auto options = costly_options();
  options.costly_per_token = 1;
  options.costly_queue = 64;
  TestServer server(options);
  server.given_acme();
  grow_log(server, 20'000);
  const auto& reader = server.token("read");
  const auto head = server.ledger().head().position;
  std::vector<std::string> requests;
  for (int i = 0; i < 6; ++i)
    requests.push_back(get_request("/v1/users/bulk1?as_of=" + std::to_string(head - i), reader));
  // The first of a burst takes the token's one share; those that arrive while it folds are
  // refused (a few bursts, in case a fold ends before the next request is read).
  bool refused = false;
  for (int round = 0; round < 10 && !refused; ++round) {
    for (const auto& answer : burst(server.port(), requests)) {
      const int status = raw_status(answer);
      REQUIRE((status == 200 || status == 429));
      if (status != 429) continue;
      refused = true;
      CHECK(raw_body(answer).find("\"rate_limited\"") != std::string::npos);
      CHECK(!header_of(answer, "Retry-After").empty());
    }
  }
  CHECK(refused);
  CHECK(metric(server.port(), reader, "orgledger_costly_refused_total{reason=\"token_busy\"}") > 0);
  // Another token's costly query and everyone's live checks are not held by it.
  HttpClient auditor(server.port(), server.token("read,audit"));
  CHECK(auditor.get("/v1/users/bulk1?as_of=" + std::to_string(head)).status == 200);
}

TEST_CASE("a full costly queue gives 503 with Retry-After", "[costly]") {
  auto options = costly_options();
  options.costly_per_token = 64;
  options.costly_queue = 1;
  TestServer server(options);
  server.given_acme();
  grow_log(server, 20'000);
  const auto& reader = server.token("read");
  const auto head = server.ledger().head().position;
  std::vector<std::string> requests;
  for (int i = 0; i < 8; ++i)
    requests.push_back(get_request("/v1/users/bulk1?as_of=" + std::to_string(head - i), reader));
  bool full = false;
  for (int round = 0; round < 10 && !full; ++round) {
    for (const auto& answer : burst(server.port(), requests)) {
      const int status = raw_status(answer);
      REQUIRE((status == 200 || status == 503));
      if (status != 503) continue;
      full = true;
      CHECK(raw_body(answer).find("\"unavailable\"") != std::string::npos);
      CHECK(!header_of(answer, "Retry-After").empty());
    }
  }
  CHECK(full);
}

TEST_CASE("a repeated global as-of question is answered from the cache, identically", "[costly]") {
  auto options = TestServer::quiet_options();
  options.as_of_cache_entries = 2;
  TestServer server(options);
  server.given_acme();
  grow_log(server, 500);
  const auto& reader = server.token("read");
  const auto head = server.ledger().head().position;
  HttpClient client(server.port(), reader);
  const auto target = "/v1/users/bulk1?as_of=" + std::to_string(head - 10);
  const auto hits_before = metric(server.port(), reader, "orgledger_as_of_cache_hits_total");
  const auto first = client.get(target);
  REQUIRE(first.status == 200);
  const auto again = client.get(target);
  REQUIRE(again.status == 200);
  CHECK(again.body == first.body);
  CHECK(metric(server.port(), reader, "orgledger_as_of_cache_hits_total") == hits_before + 1);
  // Another point is another fold, with its own answer.
  const auto elsewhere = client.get("/v1/users/bulk1?as_of=" + std::to_string(head));
  REQUIRE(elsewhere.status == 200);
  CHECK(elsewhere.json()["as_of_position"] != first.json()["as_of_position"]);
  CHECK(metric(server.port(), reader, "orgledger_as_of_cache_hits_total") == hits_before + 1);
}

}  // namespace
}  // namespace orgledger::testing
