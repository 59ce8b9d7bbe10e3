// Commands from JSON: strict, every field named in DOMAIN.md, errors that name the field.
#include <catch2/catch.hpp>

#include "orgledger/api/command_json.h"

using namespace orgledger;
using orgledger::api::parse_command;

TEST_CASE("command JSON: a full command with its envelope fields") {
  auto parsed = parse_command(std::string_view(
      R"({"type": "AddMember", "actor": "carol", "org": "acme", "user": "dan", "role": "collaborator",
          "products": ["p-mail"], "billing": false, "contact_prefs": ["technical", "legal"],
          "command_id": "c-1", "correlation_id": "corr", "expected_version": 3})"));
  REQUIRE(parsed);
  CHECK(parsed->actor == "carol");
  CHECK(parsed->command_id == "c-1");
  CHECK(parsed->expected_version == 3u);
  const auto& add = std::get<commands::AddMember>(parsed->body);
  CHECK(add.role == commands::Role::collaborator);
  CHECK(add.products == std::vector<std::string>{"p-mail"});
  CHECK(add.billing == false);
  CHECK(add.contact_prefs.size() == 2);
}

TEST_CASE("command JSON: reporters, instants and scopes") {
  auto filed = parse_command(std::string_view(
      R"({"type": "FileAbuseReport", "actor": "svc:abuse-desk", "report": "r1", "received_at": "2026-11-20T17:00:00+01:00",
          "category": "spam", "reporter": {"name": "Ida", "phone": "+41"}})"));
  REQUIRE(filed);
  const auto& report = std::get<commands::FileAbuseReport>(filed->body);
  CHECK_FALSE(report.reporter.anonymous);
  CHECK(report.reporter.phone == "+41");
  CHECK(report.received_at == 1'795'190'400'000'000);  // 2026-11-20T16:00:00Z
  auto grant = parse_command(std::string_view(
      R"({"type": "GrantSupportAccess", "actor": "carol", "org": "acme", "grant": "g1", "scope": "kdrive", "ticket": "T-1"})"));
  REQUIRE(grant);
  CHECK(std::get<commands::GrantSupportAccess>(grant->body).scope == commands::SupportScope::kdrive);
  CHECK_FALSE(std::get<commands::GrantSupportAccess>(grant->body).resource);
}

TEST_CASE("command JSON: anything off is refused, naming what") {
  struct Bad {
    const char* json;
    const char* says;
  };
  const Bad bad[] = {
      {R"([1, 2])", "JSON object"},
      {R"({"actor": "a"})", "type is required"},
      {R"({"type": "Nope", "actor": "a"})", "unknown command type"},
      {R"({"type": "ExpireSupportAccess", "actor": "svc:scheduler", "org": "o", "grant": "g"})", "unknown command type"},
      {R"({"type": "RemoveMember", "actor": "a", "org": "o"})", "user is required"},
      {R"({"type": "RemoveMember", "actor": "a", "org": "o", "user": 7})", "user must be a string"},
      {R"({"type": "RemoveMember", "actor": "a", "org": "o", "user": "u", "extra": 1})", "unknown field extra"},
      {R"({"type": "ChangeMemberRole", "actor": "a", "org": "o", "user": "u", "role": "boss"})", "role must be one of"},
      {R"({"type": "RemoveMember", "actor": "a", "org": "o", "user": "u", "expected_version": -1})", "expected_version"},
      {R"({"type": "FileAbuseReport", "actor": "s", "report": "r", "received_at": "yesterday", "category": "c", "reporter": "anonymous"})", "received_at"},
      {R"({"type": "FileAbuseReport", "actor": "s", "report": "r", "received_at": "2026-01-01T00:00:00Z", "category": "c", "reporter": {"fax": "1"}})", "reporter.fax"},
  };
  for (const auto& b : bad) {
    INFO(b.json);
    auto parsed = parse_command(std::string_view(b.json));
    REQUIRE_FALSE(parsed);
    CHECK(parsed.error().find(b.says) != std::string::npos);
  }
  CHECK_FALSE(parse_command(std::string_view("{\"type\": ")));
}
