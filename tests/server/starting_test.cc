// Serving while the state is rebuilt (issue 15: start-up serves first). A server started without
// its processor answers what the log alone answers — one organization, report, case or order
// (folds of their streams, up to the head), as-of questions, events — exactly as the live state
// would; commands, /healthz and whole live states are 503 unavailable with Retry-After, and nothing
// is appended. Once the processor is handed over, everything is answered. Real sockets.
#include <catch2/catch.hpp>

#include "http_client.h"
#include "orgledger/api/time_format.h"
#include "orgledger/ledger/clock.h"
#include "test_server.h"

namespace orgledger::testing {
namespace {

// A second server over the first one's log and tokens, started without a processor.
std::unique_ptr<api::Server> starting_server(TestServer& running) {
  auto options = TestServer::quiet_options();
  options.data_directory = running.data_directory();
  auto server = api::Server::start(options, {running.ledger(), nullptr, running.tokens(),
                                             projections::BusinessCalendar::geneva(), ledger::system_clock(),
                                             &running.checkpoints(), &running.processor().vault()});
  REQUIRE(server);
  return std::move(*server);
}

}  // namespace

TEST_CASE("starting: before its state is rebuilt the server answers what the log alone answers, as the live state does") {
  TestServer running;
  running.given_acme();
  const std::string at = "at=" + api::format_instant(ledger::system_clock().now());
  REQUIRE(running.submit({{"type", "FileAbuseReport"}, {"actor", "svc:abuse-desk"}, {"report", "r1"},
                          {"received_at", api::format_instant(ledger::system_clock().now())}, {"category", "spam"},
                          {"reporter", {{"name", "Ida"}, {"email", "ida@example.org"}}}})
              .status == 200);
  const std::vector<std::string> questions = {
      "/v1/orgs/acme?" + at, "/v1/orgs/acme/members?" + at, "/v1/orgs/acme/teams?" + at,
      "/v1/check?org=acme&user=cleo&action=product.access&product=p-mail&" + at,
      "/v1/who-can?org=acme&action=product.access&product=p-mail&" + at, "/v1/abuse-reports?" + at,
      "/v1/abuse-reports/r1?" + at};
  const auto& desk = running.token("read,abuse:reporter");
  const auto& audit = running.token("audit");
  const auto& admin_token = running.token("admin");  // tokens are on record too (D5): made before `head`
  HttpClient live(running.port(), desk);
  std::vector<std::string> answers;
  for (const auto& question : questions) {
    const auto reply = live.get(question);
    REQUIRE(reply.status == 200);
    answers.push_back(reply.body);
  }
  const auto head = running.ledger().head().position;

  auto starting = starting_server(running);
  HttpClient early(starting->port(), desk);
  for (std::size_t i = 0; i < questions.size(); ++i) {
    INFO(questions[i]);
    CHECK(early.get(questions[i]).body == answers[i]);  // A6: the reporter decrypted by the vault
  }
  CHECK(early.get("/v1/users/carol?as_of=" + std::to_string(head)).status == 200);  // from the log
  HttpClient auditor(starting->port(), audit);
  CHECK(auditor.get("/v1/events?from=1&limit=5").json()["events"].size() == 5);

  // What needs the live state waits for it.
  const auto health = early.get("/healthz");
  CHECK(health.status == 503);
  CHECK(health.json()["code"] == "unavailable");
  CHECK(health.header("retry-after") == "1");
  CHECK(early.get("/v1/users/carol").status == 503);
  HttpClient admin(starting->port(), admin_token);
  const auto refused = admin.post("/v1/commands", R"({"type": "AddMember", "actor": "carol", "org": "acme",
                                                       "user": "ida", "role": "collaborator", "command_id": "early-1"})");
  CHECK(refused.status == 503);
  CHECK(refused.header("retry-after") == "1");
  CHECK(refused.json()["command_id"] == "early-1");
  const auto unnamed = admin.post("/v1/commands", R"({"type": "RegisterUser", "actor": "svc:signup", "user": "ida",
                                                       "login": "ida@example.org"})");
  CHECK(unnamed.status == 503);
  CHECK(unnamed.json()["command_id"].get<std::string>().starts_with("auto-"));  // every answer names one
  CHECK(running.ledger().head().position == head);  // nothing appended, not even a refusal (D2)

  // Handed over: the same server takes commands and answers from the live state.
  starting->ready(running.processor());
  CHECK(early.get("/healthz").status == 200);
  CHECK(early.get("/v1/users/carol").status == 200);
  const auto taken = admin.post("/v1/commands", R"({"type": "RegisterUser", "actor": "svc:signup", "user": "ida",
                                                     "login": "ida@example.org", "command_id": "late-1"})");
  CHECK(taken.status == 200);
  CHECK(running.ledger().head().position == head + 1);
}

}  // namespace orgledger::testing
