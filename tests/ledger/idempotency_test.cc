// API.md: the same command_id again returns the first answer with duplicate = true, however long
// ago it was — also after the ledger was closed and reopened — and appends nothing.
#include <catch2/catch.hpp>

#include <future>

#include "commands.h"
#include "orgledger/ledger/ledger.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

TEST_CASE("idempotency: a repeated command id returns the first answer and appends nothing") {
  TempDir dir;
  auto log = ledger::Ledger::open(dir.path()).value();
  auto first = log->append(member_added("add-u1", "org:a", "u1")).value();
  REQUIRE(log->append(member_added("other", "org:a", "u2")));
  // Same id, different content: still the first answer (the key identifies the command).
  auto again = log->append(member_added("add-u1", "org:b", "u9")).value();
  CHECK(again.duplicate);
  CHECK(again.position == first.position);
  CHECK(again.stream == first.stream);
  CHECK(again.stream_version == first.stream_version);
  CHECK(again.events.size() == 1);
  CHECK(again.events[0].position == first.events[0].position);
  CHECK(log->head().position == 2);
  CHECK(log->stream_version("org:b").value() == 0);
  CHECK(log->find_command("add-u1").value()->position == 1);
}

TEST_CASE("idempotency: the answer is kept across reopening the store") {
  TempDir dir;
  ledger::CommandAnswer first;
  {
    auto log = ledger::Ledger::open(dir.path()).value();
    auto cmd = command("create");
    ledger::add_event(cmd, "org:acme", schema::OrganizationCreatedT{.org = "acme", .name = "Acme"});
    ledger::add_event(cmd, "org:acme", schema::MemberAddedT{.org = "acme", .user = "u1"});
    first = log->append(std::move(cmd)).value();
    for (int i = 0; i < 50; ++i) REQUIRE(log->append(member_added("m" + std::to_string(i), "org:acme", "x")));
  }
  auto log = ledger::Ledger::open(dir.path()).value();
  auto cmd = command("create");
  ledger::add_event(cmd, "org:acme", schema::OrganizationCreatedT{.org = "acme", .name = "Acme"});
  auto again = log->append(std::move(cmd)).value();
  CHECK(again.duplicate);
  CHECK(again.position == first.position);
  CHECK(again.stream_version == 2);
  REQUIRE(again.events.size() == 2);
  CHECK(again.events[0].position == 1);
  CHECK(log->head().position == 52);
}

TEST_CASE("idempotency: repeats inside one group commit are appended once") {
  TempDir dir;
  auto log = ledger::Ledger::open(dir.path()).value();
  // Submitted back to back, these usually land in one group; either way one append wins.
  std::vector<std::promise<std::expected<ledger::CommandAnswer, ledger::Error>>> answers(20);
  for (int i = 0; i < 20; ++i) {
    log->append_async(member_added("same", "org:a", "u" + std::to_string(i)),
                      [&answers, i](auto outcome) { answers[i].set_value(std::move(outcome)); });
  }
  int firsts = 0;
  for (auto& answer : answers) {
    auto outcome = answer.get_future().get();
    REQUIRE(outcome);
    CHECK(outcome->position == 1);
    if (!outcome->duplicate) ++firsts;
  }
  CHECK(firsts == 1);
  CHECK(log->head().position == 1);
}

TEST_CASE("idempotency: a refused command does not take its id") {
  TempDir dir;
  auto log = ledger::Ledger::open(dir.path()).value();
  auto conflicting = member_added("c1", "org:a", "u1");
  conflicting.expected = ledger::ExpectedVersion{"org:a", 5};
  CHECK(log->append(std::move(conflicting)).error().code == ledger::ErrorCode::version_conflict);
  auto retry = log->append(member_added("c1", "org:a", "u1"));
  REQUIRE(retry);
  CHECK_FALSE(retry->duplicate);
}
