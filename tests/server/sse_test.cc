// GET /v1/events/subscribe: catch-up then live with no gap or duplicate, resumption with
// Last-Event-ID, keep-alive comments, and a slow subscriber cut off.
#include <catch2/catch.hpp>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <thread>

#include "test_server.h"

using namespace orgledger;
using namespace orgledger::testing;
using nlohmann::json;

namespace {

// Registers users u<from>… and answers how many were not answered 200. It asserts nothing, so
// that a writer thread can call it (Catch2 v2's assertions are for the test's own thread).
int register_users(TestServer& server, const std::string& write_token, int from, int count) {
  HttpClient client(server.port(), write_token);
  int failed = 0;
  for (int i = from; i < from + count; ++i) {
    const std::string user = "u" + std::to_string(i);
    const auto body = json{{"type", "RegisterUser"}, {"actor", "svc:signup"}, {"user", user}, {"login", user + "@x.ch"}};
    if (client.post("/v1/commands", body.dump()).status != 200) ++failed;
  }
  return failed;
}

}  // namespace

TEST_CASE("SSE: catch-up to live with no gap or duplicate while commands keep arriving - Last-Event-ID resumes") {
  TestServer server;
  const std::string audit = server.token("audit");  // D5: positions 1 and 2 are TokenCreated (audit, write)
  const std::string write = server.token("write");
  REQUIRE(register_users(server, write, 0, 50) == 0);  // a history to catch up on
  std::atomic<bool> writing{true};
  std::atomic<int> writer_failed{0};  // counted in the writer, asserted after join()
  std::thread writer([&] {
    writer_failed = register_users(server, write, 50, 150);
    writing = false;
  });
  SseReader reader(server.port(), "/v1/events/subscribe?from=1", audit);
  REQUIRE(reader.status() == 200);
  ledger::Position expected = 1;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (std::chrono::steady_clock::now() < deadline) {
    const bool finished = !writing;  // read before the head: every event up to it was sent
    if (finished && expected > server.ledger().head().position) break;
    auto event = reader.next(std::chrono::milliseconds(200));
    if (!event) continue;
    REQUIRE(event->id == std::to_string(expected));  // in order, no gap, no duplicate
    const auto data = json::parse(event->data);
    CHECK(data["position"] == expected);
    CHECK(event->event == data["type"]);
    ++expected;
  }
  writer.join();
  REQUIRE(writer_failed == 0);
  CHECK(expected == 203);
  CHECK(server.ledger().head().position == 202);

  // A reconnecting client repeats its URL (from=1) and says where it was: Last-Event-ID wins.
  SseReader resumed(server.port(), "/v1/events/subscribe?from=1", server.token("audit"), "150");
  auto first = resumed.next(std::chrono::seconds(5));
  REQUIRE(first);
  CHECK(first->id == "151");
  // Live: a new event reaches the resumed subscriber.
  for (int i = 152; i <= 202; ++i) REQUIRE(resumed.next(std::chrono::seconds(5))->id == std::to_string(i));
  REQUIRE(register_users(server, write, 200, 1) == 0);
  auto live = resumed.next(std::chrono::seconds(5));
  REQUIRE(live);
  CHECK(live->id == "203");

  CHECK(SseReader(server.port(), "/v1/events/subscribe?from=abc", server.token("audit")).status() == 400);
  CHECK(SseReader(server.port(), "/v1/events/subscribe", server.token("audit"), "not-a-number").status() == 400);
}

TEST_CASE("SSE: keep-alive comments while nothing happens") {
  auto options = TestServer::quiet_options();
  options.sse_keepalive = std::chrono::milliseconds(100);
  TestServer server(options);
  const std::string token = server.token("audit");  // D5: its TokenCreated is position 1
  SseReader reader(server.port(), "/v1/events/subscribe?from=2", token);
  REQUIRE(reader.status() == 200);
  CHECK_FALSE(reader.next(std::chrono::milliseconds(600)));
  CHECK(reader.saw_comment());
}

TEST_CASE("SSE: a subscriber that takes no bytes is cut off - its slot is given back") {
  auto options = TestServer::quiet_options();
  options.sse_send_timeout = std::chrono::milliseconds(300);
  options.max_subscribers = 1;
  TestServer server(options);
  REQUIRE(register_users(server, server.token("write"), 0, 3000) == 0);  // a few MB of catch-up: more than the socket buffers hold
  // A client with a tiny receive window that never reads.
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  int small = 4096;
  ::setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &small, sizeof small);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(server.port());
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  const std::string request = "GET /v1/events/subscribe?from=1 HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " +
                              server.token("audit") + "\r\n\r\n";
  REQUIRE(::send(fd, request.data(), request.size(), 0) == static_cast<ssize_t>(request.size()));

  // While it holds the only slot, another subscriber is turned away; once it is cut off, not.
  HttpClient metrics(server.port(), server.token("read"));
  bool cut_off = false;
  for (int attempt = 0; attempt < 100 && !cut_off; ++attempt) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    cut_off = metrics.get("/metrics").body.find("orgledger_sse_subscribers 0") != std::string::npos;
  }
  CHECK(cut_off);
  SseReader next(server.port(), "/v1/events/subscribe?from=2999", server.token("audit"));
  CHECK(next.status() == 200);
  ::close(fd);
}
