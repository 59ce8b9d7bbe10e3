// The JSON shapes of API.md for answers, problems and query results.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "orgledger/api/answer_json.h"

using namespace orgledger;

TEST_CASE("A6: reporter contact details only when revealed - anonymous stays anonymous") {
  projections::AbuseReport report;
  report.received_at = 1'795'190'400'000'000;
  report.category = "phishing";
  report.reporter = projections::Reporter{false, "Ida", "ida@example.org", ""};
  const auto sla = projections::abuse_sla(report, projections::BusinessCalendar::geneva(), report.received_at);
  const auto redacted = api::abuse_report_json("r1", report, sla, api::PersonalView{});
  CHECK(redacted["reporter"] == "redacted");
  CHECK(redacted["received_at"] == "2026-11-20T16:00:00.000000Z");
  CHECK(redacted["stages"]["acknowledgment"]["due"] == "2026-11-21T16:00:00.000000Z");
  CHECK(redacted["stages"]["acknowledgment"]["done_at"].is_null());
  CHECK(redacted["stages"]["investigation"]["status"] == "pending");
  const auto revealed = api::abuse_report_json("r1", report, sla, api::PersonalView{.reporters = true});
  CHECK(revealed["reporter"]["email"] == "ida@example.org");
  CHECK_FALSE(revealed["reporter"].contains("phone"));
  report.reporter = projections::Reporter{};
  CHECK(api::abuse_report_json("r1", report, sla, api::PersonalView{.reporters = true})["reporter"] == "anonymous");
}

TEST_CASE("problems carry status, code, title, detail and rule") {
  const auto problem = api::problem_json(commands::Code::last_legal_representative, "R3", "carol is the last");
  CHECK(problem["status"] == 409);
  CHECK(problem["code"] == "last_legal_representative");
  CHECK(problem["rule"] == "R3");
  CHECK(problem["detail"] == "carol is the last");
  CHECK_FALSE(problem["title"].get<std::string>().empty());
  CHECK(api::problem_json(commands::Code::invalid_argument, "", "x")["status"] == 400);
  CHECK(api::problem_json(commands::Code::forbidden, "R1", "x")["status"] == 403);
  CHECK(api::problem_json(commands::Code::not_found, "", "x")["status"] == 404);
}

TEST_CASE("check answers list every reason with its position, and what is missing on request") {
  projections::CheckResult allowed{true, {projections::Reason{projections::Reason::Kind::team, std::nullopt, "web", "", 12}}, {}};
  const auto json = api::check_json(allowed, 41, true);
  CHECK(json["allowed"] == true);
  CHECK(json["because"][0]["kind"] == "team");
  CHECK(json["because"][0]["team"] == "web");
  CHECK(json["because"][0]["since_position"] == 12);
  CHECK(json["as_of_position"] == 41);
  CHECK_FALSE(json.contains("missing"));
  projections::CheckResult denied{false, {}, {"a direct grant"}};
  CHECK(api::check_json(denied, 41, true)["missing"][0] == "a direct grant");
  CHECK_FALSE(api::check_json(denied, 41, false).contains("missing"));
}

TEST_CASE("API.md's error table: every domain code has its HTTP status in the problem") {
  using commands::Code;
  // The codes no command produces yet (C4, B1 are not built) are mapped all the same.
  const std::vector<std::pair<Code, int>> table{
      {Code::invalid_argument, 400},          {Code::forbidden, 403},
      {Code::not_found, 404},                 {Code::already_exists, 409},
      {Code::version_conflict, 409},          {Code::last_legal_representative, 409},
      {Code::invalid_state, 409},             {Code::not_active, 409},
      {Code::conflict, 409},                  {Code::too_close_to_expiry, 422},
      {Code::unsupported_payment_method, 422}};
  for (const auto& [code, status] : table) {
    INFO(commands::to_string(code));
    const auto problem = api::failure_json(commands::Failure{.rejection = commands::reject(code, "X1", "d")});
    CHECK(problem["status"] == status);
    CHECK(problem["code"] == commands::to_string(code));
    CHECK(problem["rule"] == "X1");
  }
}

TEST_CASE("a command's outcome names its command_id - a store failure while making it durable is 503, outcome unknown") {
  const commands::Outcome unknown = std::unexpected(commands::Failure{
      .ledger = ledger::Error{ledger::ErrorCode::outcome_unknown, "the store failed while the command was being made durable"}});
  const auto body = api::outcome_json(unknown, "cmd-7");
  CHECK(body["status"] == 503);
  CHECK(body["code"] == "unavailable");
  CHECK(body["outcome"] == "unknown");
  CHECK(body["command_id"] == "cmd-7");
  // A ledger that had stopped before the command: a definite refusal, no outcome to learn.
  const commands::Outcome stopped =
      std::unexpected(commands::Failure{.ledger = ledger::Error{ledger::ErrorCode::stopped, "fail-stop"}});
  CHECK_FALSE(api::outcome_json(stopped, "cmd-8").contains("outcome"));
  const commands::Outcome accepted = ledger::CommandAnswer{.position = 9, .stream = "org:acme", .stream_version = 3};
  CHECK(api::outcome_json(accepted, "cmd-9")["command_id"] == "cmd-9");
}
