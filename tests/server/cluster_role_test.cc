// Issue 18, what the HTTP server does for a cluster, on a real server over real sockets:
// `at_least=P` on every route (wait until the node has applied P, else 503 with Retry-After), and
// POST /v1/commands on a node that is not the writer (307 to the writer, or 503 while none is
// known). The node's role comes through api::ClusterRole, as cluster/ gives it in `serve`.
#include <catch2/catch.hpp>

#include <thread>

#include "http_client.h"
#include "orgledger/ledger/clock.h"
#include "test_server.h"

namespace orgledger::testing {
namespace {

// A node's standing in a cluster, set by the test.
class FixedRole final : public api::ClusterRole {
 public:
  FixedRole(bool writer, std::string url) : writer_(writer), url_(std::move(url)) {}
  bool is_writer() const override { return writer_; }
  std::string writer_url() const override { return url_; }
  std::uint64_t lag() const override { return 7; }

 private:
  bool writer_;
  std::string url_;
};

// A second server over the running one's log, tokens and processor, standing as `role` says.
std::unique_ptr<api::Server> node_server(TestServer& running, const api::ClusterRole& role) {
  auto options = TestServer::quiet_options();
  options.data_directory = running.data_directory();
  auto server = api::Server::start(options, {running.ledger(), &running.processor(), running.tokens(),
                                             projections::BusinessCalendar::geneva(), ledger::system_clock(),
                                             &running.checkpoints(), nullptr, &role});
  REQUIRE(server);
  return std::move(*server);
}

nlohmann::json register_user(const std::string& user) {
  return {{"type", "RegisterUser"}, {"actor", "svc:signup"}, {"user", user}, {"login", user + "@example.ch"}};
}

}  // namespace

TEST_CASE("cluster: at_least=P answers once P is applied, waits for a write that comes, and is 503 with Retry-After past its wait") {
  TestServer server;
  HttpClient reader(server.port(), server.token("read"));
  const auto first = server.submit(register_user("u1")).json()["position"].get<std::uint64_t>();

  const auto applied = reader.get("/v1/users/u1?at_least=" + std::to_string(first));
  REQUIRE(applied.status == 200);
  CHECK(applied.json()["as_of_position"].get<std::uint64_t>() >= first);

  SECTION("a write that comes during the wait is seen") {
    HttpReply waited;
    std::thread asker([&] {
      HttpClient other(server.port(), server.token("read"));
      waited = other.get("/v1/users/u2?at_least=" + std::to_string(first + 1));
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    REQUIRE(server.submit(register_user("u2")).status == 200);
    asker.join();
    REQUIRE(waited.status == 200);
    CHECK(waited.json()["user"] == "u2");
  }
  SECTION("a position never reached") {
    const auto started = std::chrono::steady_clock::now();
    const auto refused = reader.get("/v1/users/u1?at_least=" + std::to_string(first + 1000));
    CHECK(refused.status == 503);
    CHECK(refused.json()["code"] == "unavailable");
    CHECK(refused.header("retry-after") == "1");
    CHECK(std::chrono::steady_clock::now() - started >= std::chrono::milliseconds(1900));
  }
  SECTION("not a position, or twice") {
    for (const std::string bad : {"0", "-1", "x", "", "1&at_least=1"}) {
      INFO(bad);
      const auto refused = reader.get("/v1/users/u1?at_least=" + bad);
      CHECK(refused.status == 400);
      CHECK(refused.json()["code"] == "invalid_argument");
    }
  }
  SECTION("every route takes it, a public one too") {
    HttpClient auditor(server.port(), server.token("audit"));
    CHECK(auditor.get("/v1/events?limit=1&at_least=" + std::to_string(first)).status == 200);
    CHECK(reader.get("/v1/tree/public-key?at_least=" + std::to_string(first)).status == 200);
  }
}

TEST_CASE("cluster: on a replica a command is sent to the writer (307) or refused while none is known (503), and nothing is appended") {
  TestServer running;
  const std::string admin = running.token("admin");  // its TokenCreated first (D5)
  const auto head = running.ledger().head().position;

  SECTION("a writer is known") {
    const FixedRole replica(false, "http://127.0.0.1:9");
    auto node = node_server(running, replica);
    HttpClient client(node->port(), admin);
    const auto sent = client.post("/v1/commands", register_user("u1").dump());
    REQUIRE(sent.status == 307);
    CHECK(sent.header("location") == "http://127.0.0.1:9/v1/commands");
    CHECK(sent.json()["writer"] == "http://127.0.0.1:9");
    // Reads are the replica's own; the lag is on /metrics.
    CHECK(client.get("/v1/users/nobody").status == 404);
    CHECK(client.get("/metrics").body.find("orgledger_cluster_lag_positions 7\n") != std::string::npos);
    CHECK(client.get("/metrics").body.find("orgledger_cluster_writer 0\n") != std::string::npos);
    CHECK(running.ledger().head().position == head);
  }
  SECTION("no writer yet") {
    const FixedRole replica(false, "");
    auto node = node_server(running, replica);
    HttpClient client(node->port(), admin);
    const auto refused = client.post("/v1/commands", register_user("u1").dump());
    CHECK(refused.status == 503);
    CHECK(refused.json()["code"] == "unavailable");
    CHECK(refused.header("retry-after") == "1");
    CHECK(running.ledger().head().position == head);
  }
  SECTION("the writer takes it") {
    const FixedRole writer(true, "http://127.0.0.1:1");
    auto node = node_server(running, writer);
    HttpClient client(node->port(), admin);
    CHECK(client.post("/v1/commands", register_user("u1").dump()).status == 200);
    CHECK(client.get("/metrics").body.find("orgledger_cluster_writer 1\n") != std::string::npos);
    CHECK(running.ledger().head().position == head + 1);
  }
}

}  // namespace orgledger::testing
