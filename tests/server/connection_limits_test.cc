// Connection exhaustion without a token (issue 11): headers must come within header_timeout, one
// address holds at most max_connections_per_address, and connections that have not authenticated
// give way to newcomers past max_connections − reserved_connections. An attacker on 127.0.0.2
// keeps connections open with a header line now and then; the real client on 127.0.0.1 (and
// /healthz) keeps being answered.
#include <catch2/catch.hpp>

#include <thread>

#include "http_client.h"
#include "raw_connection.h"
#include "test_server.h"

namespace orgledger::testing {
namespace {

using namespace std::chrono_literals;

// Opens `count` connections from 127.0.0.2 that each send the start of a request and then a
// header line every `every`, never finishing it, reopening any the server closes, until `stop`.
class SlowHeaderFlood {
 public:
  SlowHeaderFlood(std::uint16_t port, int count, std::chrono::milliseconds every)
      : thread_([this, port, count, every] { run(port, count, every); }) {}
  ~SlowHeaderFlood() {
    stop_ = true;
    thread_.join();
  }
  int opened() const { return opened_.load(); }

 private:
  void run(std::uint16_t port, int count, std::chrono::milliseconds every) {
    std::vector<RawConnection> connections;
    int line = 0;
    while (!stop_) {
      std::erase_if(connections, [](RawConnection& c) { return !c.connected(); });
      while (static_cast<int>(connections.size()) < count && !stop_) {
        RawConnection connection(port, "127.0.0.2");
        if (!connection.connected()) break;
        ++opened_;
        if (connection.send("GET /v1/orgs/acme/members HTTP/1.1\r\nHost: x\r\n")) connections.push_back(std::move(connection));
      }
      ++line;
      for (auto& connection : connections) {
        if (!connection.send("X-Slow-" + std::to_string(line) + ": 1\r\n")) connection.close();
      }
      std::this_thread::sleep_for(every);
    }
  }
  std::atomic<bool> stop_{false};
  std::atomic<int> opened_{0};
  std::thread thread_;
};

// The real client's rounds while the flood goes on: a kept-alive client, a new connection per
// request, and /healthz on a new connection.
void legitimate_rounds(TestServer& server, int rounds) {
  const auto& reader = server.token("read");
  HttpClient kept(server.port(), reader);
  for (int round = 0; round < rounds; ++round) {
    CHECK(kept.get("/v1/orgs/acme/members").status == 200);
    CHECK(kept.get("/v1/check?org=acme&user=adam&action=org.manage_members").status == 200);
    HttpClient fresh(server.port(), reader);
    CHECK(fresh.get("/v1/orgs/acme/members").status == 200);
    CHECK(raw_status(raw_exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) ==
          200);
    std::this_thread::sleep_for(50ms);
  }
}

TEST_CASE("a slow-header flood from one address is capped - the real client keeps being answered", "[connections]") {
  auto options = TestServer::quiet_options();
  options.max_connections = 64;
  options.max_connections_per_address = 16;
  options.reserved_connections = 8;
  TestServer server(options);
  server.given_acme();
  SlowHeaderFlood flood(server.port(), 100, 200ms);
  while (flood.opened() < 16) std::this_thread::sleep_for(10ms);
  legitimate_rounds(server, 20);
  CHECK(metric(server.port(), server.token("read"), "orgledger_connections_refused_total{reason=\"per_address\"}") >
        0);
}

TEST_CASE("a slow-header flood past the reserve evicts strangers, never the real client", "[connections]") {
  auto options = TestServer::quiet_options();
  options.max_connections = 48;
  options.max_connections_per_address = 1000;  // one address could take every place: the reserve holds
  options.reserved_connections = 16;
  TestServer server(options);
  server.given_acme();
  SlowHeaderFlood flood(server.port(), 100, 200ms);
  while (flood.opened() < 48) std::this_thread::sleep_for(10ms);
  legitimate_rounds(server, 20);
  CHECK(metric(server.port(), server.token("read"), "orgledger_connections_evicted_total") > 0);
}

TEST_CASE("a connection that sends no complete header within header_timeout is closed", "[connections]") {
  auto options = TestServer::quiet_options();
  options.header_timeout = 300ms;
  options.idle_timeout = 60s;
  TestServer server(options);
  RawConnection silent(server.port(), "127.0.0.2");
  REQUIRE(silent.connected());
  RawConnection partial(server.port(), "127.0.0.2");
  REQUIRE(partial.send("GET /healthz HTTP/1.1\r\n"));
  // Long before idle_timeout: the header deadline applies to a connection that never authenticated.
  CHECK(silent.closed_by_server(30s));
  CHECK(partial.closed_by_server(30s));
}

TEST_CASE("a token's event subscriptions are capped: 429 past it", "[connections]") {
  auto options = TestServer::quiet_options();
  options.max_subscribers_per_token = 2;
  TestServer server(options);
  const auto& auditor = server.token("audit");
  SseReader first(server.port(), "/v1/events/subscribe", auditor);
  SseReader second(server.port(), "/v1/events/subscribe", auditor);
  REQUIRE(first.status() == 200);
  REQUIRE(second.status() == 200);
  RawConnection third(server.port());
  REQUIRE(third.send(get_request("/v1/events/subscribe", auditor)));
  const auto answer = third.read_until_close(10s);
  CHECK(raw_status(answer) == 429);
  CHECK(answer.find("Retry-After") != std::string::npos);
  // Another token has its own share.
  SseReader other(server.port(), "/v1/events/subscribe", server.token("audit,read"));
  CHECK(other.status() == 200);
}

}  // namespace
}  // namespace orgledger::testing
