// The scheduler's deadline index (commands/deadline_index.h, issue 15) against a scan of the whole
// state: random commands of every family with a deadline (S6 grants, B2 renewals, A5 reports, K4
// cases, K5 orders), time passing in steps of up to 3 hours, and the due items recorded as the
// scheduler would. At every step the index finds exactly what the scan finds, and nothing falls
// due before the next instant it names.
#include <catch2/catch.hpp>

#include <algorithm>
#include <random>
#include <set>

#include "manual_clock.h"
#include "orgledger/commands/deadline_index.h"
#include "orgledger/commands/processor.h"
#include "random_commands.h"
#include "temp_dir.h"
#include "seed.h"

using namespace orgledger;
using namespace orgledger::commands;
using namespace orgledger::testing;

namespace {

std::vector<std::string> ids(const std::vector<Command>& commands) {
  std::vector<std::string> out;
  for (const auto& command : commands) out.push_back(command.command_id);
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace

TEST_CASE("deadline index: finds what a scan of the whole state finds, step by step, and no deadline before its next instant") {
  const auto seed = test_seed("deadline index");
  INFO("ORGLEDGER_SEED=" << seed);
  RandomCommands commands(seed);
  std::mt19937_64 random(seed);
  TempDir dir;
  ManualClock clock(kSampleInstant);
  auto log = ledger::Ledger::open(dir.path(), {.clock = &clock}).value();
  auto processor = CommandProcessor::start(*log, clock).value();
  REQUIRE(register_random_users(*processor) == 0);
  // One entity of each family with a deadline, which the random commands leave alone (their ids
  // are others): the walk reaches every family whatever the seed.
  constexpr ledger::Micros kDay = 86'400'000'000LL;
  const auto seeded = [&](std::string actor, Body body) {
    auto outcome = processor->submit(Command{std::move(actor), "", "", std::nullopt, std::move(body)});
    INFO((outcome ? std::string("accepted") : outcome.error().rejection ? outcome.error().rejection->detail : "ledger"));
    REQUIRE(outcome);
  };
  seeded("u0", CreateOrganization{"o0", "Org"});
  seeded("u0", RegisterProduct{"o0", "p-seed", "mail_service", "Mail", clock.now() + 20 * kDay});
  seeded("u0", EnableAutoRenewal{"o0", "p-seed", "visa"});
  seeded("u0", GrantSupportAccess{"o0", "g-seed", projections::SupportScope::mail, std::nullopt, "T-seed"});
  seeded("svc:desk", FileAbuseReport{"r-seed", clock.now(), "spam", {}, std::nullopt});
  seeded("svc:desk", OpenIdentityVerification{"k-seed", "u1"});
  seeded("svc:desk", SubmitIdentityDocuments{"k-seed", {IdentityDocumentInput{projections::DocumentKind::passport, "scan"}}});
  seeded("svc:desk", BlockOrder{"o-seed", "o0", "fraud"});
  const auto& calendar = projections::BusinessCalendar::geneva();
  DeadlineIndex index(calendar);
  std::size_t found = 0, indexed_most = 0;
  std::set<std::string> kinds;
  for (int step = 0; step < 700; ++step) {
    clock.advance(commands.step() * (step % 40 == 0 ? 40 : 1));  // now and then a long downtime
    for (int i = 0; i < 3; ++i) {
      auto command = processor->read([&](const projections::State& state) {
        return random() % 3 == 0 ? random_desk_command(random, state) : commands.next(state);
      });
      (void)processor->submit(std::move(command));
    }
    const auto now = clock.now();
    const auto version = processor->version();
    index.update(version, now);
    auto due = index.due(now);
    const auto due_ids = ids(due);
    REQUIRE(due_ids == ids(due_by_scan(*version, calendar, now)));
    // Nothing new falls due before the next instant the index names (or ever, when it names none).
    const auto next = index.next_after(now);
    DeadlineIndex fresh(calendar);  // built from this version alone: the differences missed nothing
    fresh.update(version, now);
    CHECK(fresh.next_after(now) == next);
    const auto until = next ? *next - 1 : now + 400LL * 86'400'000'000;
    const auto later = ids(due_by_scan(*version, calendar, until));
    INFO("now " << now << ", next " << (next ? *next : -1) << ", later " << Catch::Detail::stringify(later) << ", due " << Catch::Detail::stringify(due_ids));
    CHECK(std::includes(due_ids.begin(), due_ids.end(), later.begin(), later.end()));
    found += due.size();
    for (const auto& command : due) kinds.insert(command.command_id.substr(0, 9));  // sched-S6-, sched-A5-, …
    indexed_most = std::max(indexed_most, index.size());
    // Recorded as the scheduler records them; the next update sees them on record.
    if (step % 2 == 0) {
      for (auto& command : due) (void)processor->submit(std::move(command));
    }
  }
  INFO("kinds of items due: " << kinds.size());
  for (const auto& kind : kinds) UNSCOPED_INFO(kind);
  CHECK(kinds.size() == 5);  // the walk reached a deadline of every family
  CHECK(indexed_most > 3);
}
