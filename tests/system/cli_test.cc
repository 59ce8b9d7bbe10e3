// The real `orgledger` binary: exit codes and output of API.md's `events` and `verify`.
#include <sys/wait.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "raw_store.h"
#include "run_cli.h"
#include "temp_dir.h"

using namespace orgledger::testing;

TEST_CASE("cli: events and verify on a log written by the demo") {
  TempDir dir;
  const std::string data = " --data " + dir.sub("data");
  REQUIRE(invoke("demo" + data).exit_code == 0);

  const auto events = json_lines(invoke("events --json" + data).out);
  REQUIRE(events.size() == 5);
  for (std::size_t i = 0; i < events.size(); ++i) CHECK(events[i]["position"] == i + 1);
  CHECK(events[3]["type"] == "MemberAdded");
  CHECK(events[3]["data"]["role"] == "legal_representative");
  CHECK(events[4]["prev_hash"] == events[3]["hash"]);

  CHECK(json_lines(invoke("events --json --from 2 --limit 2" + data).out).size() == 2);
  const auto stream = json_lines(invoke("events --json --stream org:acme" + data).out);
  REQUIRE(stream.size() == 3);
  CHECK(stream[0]["position"] == 3);
  CHECK(invoke("events" + data).out.find("MemberAdded") != std::string::npos);

  auto verified = invoke("verify --json" + data);
  CHECK(verified.exit_code == 0);
  auto report = nlohmann::json::parse(verified.out);
  CHECK(report["ok"] == true);
  CHECK(report["checked"] == 5);
  CHECK(report["head"]["position"] == 5);
  CHECK(report["head"]["hash"] == events[4]["hash"]);
  CHECK_FALSE(report.contains("first_bad_position"));
}

TEST_CASE("cli: verify exits 1 and names the first bad position of a tampered log") {
  TempDir dir;
  const std::string data = " --data " + dir.sub("data");
  REQUIRE(invoke("demo" + data).exit_code == 0);
  RawStore(dir.sub("data")).flip_bit(3, 50, 2);
  auto verified = invoke("verify --json" + data);
  CHECK(verified.exit_code == 1);
  auto report = nlohmann::json::parse(verified.out);
  CHECK(report["ok"] == false);
  CHECK(report["first_bad_position"] == 3);
  CHECK(report["checked"] == 2);
  auto human = invoke("verify" + data);
  CHECK(human.exit_code == 1);
  CHECK(human.out.find("position 3") != std::string::npos);
}

TEST_CASE("cli: usage and I/O errors exit 2") {
  TempDir dir;
  CHECK(invoke("no-such-subcommand").exit_code == 2);
  CHECK(invoke("events --no-such-option").exit_code == 2);
  CHECK(invoke("events --limit=-3 --data " + dir.path()).exit_code == 2);
  CHECK(invoke("events --data " + dir.sub("absent")).exit_code == 2);
  CHECK(invoke("verify --data " + dir.sub("absent")).exit_code == 2);
  CHECK(invoke("--help").exit_code == 0);
  CHECK(invoke("verify --help").exit_code == 0);
}

TEST_CASE("cli: submit JSON Lines, then check, members and abuse answer per API.md") {
  TempDir dir;
  const std::string data = " --data " + dir.sub("data");
  const std::string input = dir.sub("commands.jsonl");
  {
    std::ofstream out(input);
    out << R"({"type": "RegisterUser", "actor": "svc:signup", "user": "carol", "login": "carol@example.ch", "command_id": "c1"})"
           "\n"
        << R"({"type": "RegisterUser", "actor": "svc:signup", "user": "dan", "login": "dan@example.ch"})"
           "\n"
        << R"({"type": "CreateOrganization", "actor": "carol", "org": "acme", "name": "Acme"})"
           "\n"
        << R"({"type": "RegisterProduct", "actor": "svc:billing", "org": "acme", "product": "p-mail", "kind": "mail_service"})"
           "\n"
        << R"({"type": "AddMember", "actor": "carol", "org": "acme", "user": "dan", "role": "collaborator", "products": ["p-mail"]})"
           "\n"
        << R"({"type": "RemoveMember", "actor": "carol", "org": "acme", "user": "carol"})"
           "\n"
        << R"({"type": "FileAbuseReport", "actor": "svc:abuse-desk", "report": "r1", "received_at": "2026-01-05T08:00:00Z", "category": "spam", "reporter": "anonymous"})"
           "\n"
        << "{not json\n";
  }
  const auto submitted = invoke("submit --json --file " + input + data);
  CHECK(submitted.exit_code == 1);  // some were refused
  const auto results = json_lines(submitted.out);
  REQUIRE(results.size() == 8);
  CHECK(results[2]["position"] == 4);
  CHECK(results[2]["events"][1]["type"] == "MemberAdded");
  CHECK(results[5]["code"] == "last_legal_representative");
  CHECK(results[5]["status"] == 409);
  CHECK(results[5]["rule"] == "R3");
  CHECK(results[7]["code"] == "invalid_argument");

  auto members = nlohmann::json::parse(invoke("members acme --json" + data).out);
  CHECK(members["org"] == "acme");
  REQUIRE(members["members"].size() == 2);
  CHECK(members["members"][1]["user"] == "dan");
  CHECK(members["members"][1]["products"] == nlohmann::json::array({"p-mail"}));
  CHECK(nlohmann::json::parse(invoke("members acme --as-of 4 --json" + data).out)["members"].size() == 1);
  CHECK(invoke("members nope --json" + data).exit_code == 1);

  const auto allowed = invoke("check --org acme --user dan --action product.access --product p-mail --json" + data);
  CHECK(allowed.exit_code == 0);
  auto check = nlohmann::json::parse(allowed.out);
  CHECK(check["allowed"] == true);
  CHECK(check["because"][0]["kind"] == "direct_grant");
  CHECK(check["because"][0]["since_position"] == 6);
  const auto denied = invoke("check --org acme --user dan --action org.billing --explain --json" + data);
  CHECK(denied.exit_code == 1);
  CHECK_FALSE(nlohmann::json::parse(denied.out)["missing"].empty());
  CHECK(invoke("check --org acme --user dan --action no.such" + data).exit_code == 2);
  // As of before dan was added, he could not.
  CHECK(invoke("check --org acme --user dan --action product.access --product p-mail --as-of 5" + data).exit_code == 1);

  auto abuse = nlohmann::json::parse(invoke("abuse --status breached --json" + data).out);
  REQUIRE(abuse["reports"].size() == 1);
  CHECK(abuse["reports"][0]["reporter"] == "anonymous");
  CHECK(abuse["reports"][0]["stages"]["acknowledgment"]["status"] == "breached");
  CHECK(abuse["reports"][0]["stages"]["acknowledgment"]["due"] == "2026-01-06T08:00:00.000000Z");
  auto early = nlohmann::json::parse(invoke("abuse --json --at 2026-01-05T09:00:00Z" + data).out);
  CHECK(early["reports"][0]["stages"]["acknowledgment"]["status"] == "pending");
  CHECK(invoke("abuse --status nope" + data).exit_code == 2);
}

TEST_CASE("cli: replay, diff, access-history, who-can and what-can on one story") {
  TempDir dir;
  const std::string data = " --data " + dir.sub("data");
  const std::string input = dir.sub("commands.jsonl");
  {
    std::ofstream out(input);
    out << R"({"type": "RegisterUser", "actor": "svc:signup", "user": "carol", "login": "carol@example.ch"})"
           "\n"
        << R"({"type": "RegisterUser", "actor": "svc:signup", "user": "dan", "login": "dan@example.ch"})"
           "\n"
        << R"({"type": "CreateOrganization", "actor": "carol", "org": "acme", "name": "Acme"})"
           "\n"
        << R"({"type": "RegisterProduct", "actor": "svc:billing", "org": "acme", "product": "p-mail", "kind": "mail_service"})"
           "\n"
        << R"({"type": "AddMember", "actor": "carol", "org": "acme", "user": "dan", "role": "collaborator"})"
           "\n"
        << R"({"type": "GrantProductAccess", "actor": "carol", "org": "acme", "user": "dan", "product": "p-mail"})"
           "\n";
  }
  REQUIRE(invoke("submit --file " + input + data).exit_code == 0);

  // replay: digests that do not vary between runs, and that differ between positions.
  const auto first = invoke("replay --to 7 --json" + data);
  CHECK(first.exit_code == 0);
  CHECK(first.out == invoke("replay --to 7 --json" + data).out);
  const auto replayed = nlohmann::json::parse(first.out);
  CHECK(replayed["as_of_position"] == 7);
  CHECK(replayed["digests"].size() == 12);  // identity_verifications and orders came with K, partners with C
  CHECK(nlohmann::json::parse(invoke("replay --to 6 --json" + data).out)["digests"]["members"] !=
        replayed["digests"]["members"]);
  CHECK(invoke("replay" + data).exit_code == 2);  // --to is required

  const auto diff = nlohmann::json::parse(invoke("diff --from 6 --to 7 --org acme --json" + data).out);
  REQUIRE(diff["changes"].size() == 1);
  CHECK(diff["changes"][0]["change"] == "access_gained");
  CHECK(diff["changes"][0]["subject"] == "dan");
  CHECK(diff["changes"][0]["object"] == "p-mail");
  CHECK(invoke("diff --from 6 --to 7" + data).out.find("dan can now access p-mail") != std::string::npos);

  const auto history = nlohmann::json::parse(invoke("access-history --org acme --product p-mail --json" + data).out);
  bool dan = false;
  for (const auto& interval : history["intervals"]) {
    if (interval["user"] == "dan") {
      dan = true;
      CHECK(interval["via"]["kind"] == "direct_grant");
      CHECK(interval["from_position"] == 7);
      CHECK(interval["to"].is_null());
    }
  }
  CHECK(dan);

  const auto who =
      nlohmann::json::parse(invoke("who-can --org acme --action product.access --product p-mail --json" + data).out);
  REQUIRE(who["users"].size() == 2);
  CHECK(who["users"][1]["user"] == "dan");
  CHECK(nlohmann::json::parse(
            invoke("who-can --org acme --action product.access --product p-mail --as-of 6 --json" + data).out)["users"]
            .size() == 1);
  const auto what = nlohmann::json::parse(invoke("what-can --org acme --user dan --json" + data).out);
  CHECK(what["capabilities"][0]["action"] == "product.access");
  CHECK(invoke("what-can --org nope --user dan" + data).exit_code == 1);
}
