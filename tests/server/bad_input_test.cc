// Hostile and broken requests (issue 4's table): each gets its 4xx problem, or a closed
// connection where no answer is possible; the server stays up and the log is unchanged and
// verifiable afterwards.
#include <catch2/catch.hpp>

#include <thread>

#include "orgledger/ledger/verify.h"
#include "test_server.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

struct BadInput {
  std::string name;
  std::string bytes;  // sent as they are
  int status;         // the answer's status; 0: the connection closes with no answer
  std::string code;   // the problem's code ("" when not checked)
};

std::string post(const std::string& body, const std::string& token, const std::string& extra = "") {
  return "POST /v1/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n" + extra +
         "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) +
         "\r\nConnection: close\r\n\r\n" + body;
}

std::string get(const std::string& target, const std::string& token) {
  return "GET " + target + " HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\nConnection: close\r\n\r\n";
}

}  // namespace

TEST_CASE("Bad input: every case answered with its problem (or closed), the server up, the log unchanged") {
  auto options = TestServer::quiet_options();
  options.request_timeout = std::chrono::milliseconds(500);  // the silent clients below
  options.idle_timeout = std::chrono::milliseconds(500);
  TestServer server(options);
  server.given_acme();
  const std::string token = server.token("admin");
  const auto head = server.ledger().head();

  const std::string valid_start =
      R"({"type":"AddMember","actor":"carol","org":"acme","user":"xena","role":"collaborator")";
  std::string deep =
      R"({"type":"AddMember","actor":"carol","org":"acme","user":"xena","role":"collaborator","products":)";
  deep += std::string(5000, '[') + std::string(5000, ']') + "}";
  const std::string big_body =
      R"({"type":"CreateTeam","actor":"adam","org":"acme","team":"t","name":")" + std::string(1 << 20, 'a') + "\"}";

  const std::vector<BadInput> cases{
      {"broken JSON", post(R"({"type": "AddMember", )", token), 400, "invalid_argument"},
      {"empty body", post("", token), 400, "invalid_argument"},
      {"an array", post("[]", token), 400, "invalid_argument"},
      {"a string", post(R"("AddMember")", token), 400, "invalid_argument"},
      {"a number", post("42", token), 400, "invalid_argument"},
      {"wrong type: actor a number",
       post(R"({"type":"AddMember","actor":7,"org":"acme","user":"xena","role":"collaborator"})", token), 400,
       "invalid_argument"},
      {"type null", post(R"({"type":null,"actor":"carol"})", token), 400, "invalid_argument"},
      {"unknown command", post(R"({"type":"DropDatabase","actor":"carol"})", token), 400, "invalid_argument"},
      {"unknown field", post(valid_start + R"(,"colour":"blue"})", token), 400, "invalid_argument"},
      {"missing field", post(R"({"type":"AddMember","actor":"carol","org":"acme","role":"collaborator"})", token), 400,
       "invalid_argument"},
      {"unknown role", post(R"({"type":"AddMember","actor":"carol","org":"acme","user":"xena","role":"king"})", token),
       400, "invalid_argument"},
      {"deep nesting", post(deep, token), 400, "invalid_argument"},
      {"invalid UTF-8", post(valid_start.substr(0, valid_start.size() - 1) + "\xC3\x28\"}", token), 400,
       "invalid_argument"},
      {"overlong UTF-8",
       post(R"({"type":"AddMember","actor":"carol","org":"acme","user":"x)" + std::string("\xC0\xAF") +
                R"(","role":"collaborator"})",
            token),
       400, "invalid_argument"},
      {"raw NUL byte",
       post(std::string(R"({"type":"AddMember","actor":"carol","org":"acme","user":"x)") + std::string(1, '\0') +
                R"(","role":"collaborator"})",
            token),
       400, "invalid_argument"},
      {"escaped NUL in an id",
       post(R"({"type":"AddMember","actor":"carol","org":"acme","user":"x\u0000y","role":"collaborator"})", token), 400,
       "invalid_argument"},
      {"huge number", post(valid_start + R"(,"expected_version":1e400})", token), 400, "invalid_argument"},
      {"number past 64 bits", post(valid_start + R"(,"expected_version":184467440737095516160})", token), 400,
       "invalid_argument"},
      {"negative version", post(valid_start + R"(,"expected_version":-1})", token), 400, "invalid_argument"},
      {"version as a string", post(valid_start + R"(,"expected_version":"3"})", token), 400, "invalid_argument"},
      {"over-long id",
       post(R"({"type":"AddMember","actor":"carol","org":"acme","user":")" + std::string(10'000, 'x') +
                R"(","role":"collaborator"})",
            token),
       400, "invalid_argument"},
      {"oversize body", post(big_body, token), 413, "payload_too_large"},
      {"oversize header",
       "GET /v1/orgs/acme HTTP/1.1\r\nHost: x\r\nX-Padding: " + std::string(20'000, 'p') + "\r\n\r\n", 400,
       "invalid_argument"},
      {"garbage request line", "HELLO THERE\r\n\r\n", 400, "invalid_argument"},
      {"binary garbage", std::string("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", 11) + "\r\n\r\n", 400, ""},
      {"header without a colon", "GET /healthz HTTP/1.1\r\nHost x\r\n\r\n", 400, "invalid_argument"},
      {"bad Content-Length", "POST /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Length: ten\r\n\r\n", 400,
       "invalid_argument"},
      {"two Content-Lengths",
       "POST /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400,
       "invalid_argument"},
      {"bad chunk size",
       "POST /v1/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
           "\r\nTransfer-Encoding: chunked\r\n\r\nZZ\r\n{}\r\n0\r\n\r\n",
       400, "invalid_argument"},
      {"broken percent escape", get("/v1/check?org=%G1&user=a&action=org.billing", token), 400, "invalid_argument"},
      {"invalid UTF-8 in a query", get("/v1/check?org=%FF&user=a&action=org.billing", token), 400, "invalid_argument"},
      {"a repeated query parameter", get("/v1/check?org=acme&org=acme&user=a&action=org.billing", token), 400,
       "invalid_argument"},
      {"NUL in a path segment", get("/v1/orgs/ac%00me", token), 404, "not_found"},
      {"an unknown method", "BREW /v1/commands HTTP/1.1\r\nHost: x\r\n\r\n", 405, ""},
      {"a body from no one (answered before it is read)",
       "POST /v1/commands HTTP/1.1\r\nHost: x\r\nContent-Length: 1000000\r\n\r\n{", 401, "unauthenticated"},
      {"a huge bearer token", get("/v1/orgs/acme", std::string(8000, 'A')), 401, "unauthenticated"},
      {"stops after the request line", "POST /v1/commands HTTP/1.1\r\n", 0, ""},
      {"stops mid-body",
       "POST /v1/commands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token +
           "\r\nContent-Length: 100\r\n\r\n{\"type\":",
       0, ""},
      {"says nothing at all", "", 0, ""},
  };
  REQUIRE(cases.size() >= 25);

  HttpClient health(server.port());
  for (const auto& c : cases) {
    INFO(c.name);
    const auto answer = raw_exchange(server.port(), c.bytes, std::chrono::milliseconds(c.status == 0 ? 2000 : 5000));
    CHECK(raw_status(answer) == c.status);
    if (c.status >= 400) {
      CHECK(answer.find("Content-Type: application/problem+json") != std::string::npos);
      if (!c.code.empty()) {
        const auto problem = nlohmann::json::parse(raw_body(answer), nullptr, false);
        REQUIRE(problem.is_object());
        CHECK(problem["code"] == c.code);
        CHECK(problem["status"] == c.status);
      }
    }
    CHECK(health.get("/healthz").status == 200);
    CHECK(server.ledger().head().position == head.position);
  }
  const auto report = ledger::verify_ledger(server.data_directory());
  REQUIRE(report);
  CHECK(report->ok);
  CHECK(report->head.hash == head.hash);
  // And the server still does real work.
  HttpClient client(server.port(), token);
  CHECK(client
            .post("/v1/commands",
                  R"({"type":"AddMember","actor":"carol","org":"acme","user":"xena","role":"collaborator"})")
            .status == 200);
}

TEST_CASE("Connections past the cap get a 503 problem - the ones inside it are served") {
  auto options = TestServer::quiet_options();
  options.max_connections = 4;
  TestServer server(options);
  std::vector<std::unique_ptr<HttpClient>> held;
  for (int i = 0; i < 4; ++i) {
    // Each holds a kept-alive connection, authenticated: connections without a token would give
    // way to a newcomer instead (the reserve, connection_limits_test.cc).
    held.push_back(std::make_unique<HttpClient>(server.port(), server.token("read")));
    REQUIRE(held.back()->get("/metrics").status == 200);
  }
  const auto refused =
      raw_exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", std::chrono::milliseconds(2000));
  CHECK(raw_status(refused) == 503);
  held.pop_back();  // one leaves: once the server has seen it go, a new one is served
  bool served = false;
  for (int attempt = 0; attempt < 250 && !served; ++attempt) {
    served =
        raw_status(raw_exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")) == 200;
    if (!served) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  CHECK(served);
}

TEST_CASE("A keep-alive connection with no request is closed after the idle timeout") {
  auto options = TestServer::quiet_options();
  options.idle_timeout = std::chrono::milliseconds(300);
  TestServer server(options);
  const auto started = std::chrono::steady_clock::now();
  const auto answer =
      raw_exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n", std::chrono::milliseconds(5000));
  const auto waited = std::chrono::steady_clock::now() - started;
  CHECK(raw_status(answer) == 200);
  CHECK(waited < std::chrono::milliseconds(3000));  // closed by the server, not by our time-out
}
