// Property (seeded; ORGLEDGER_SEED replays): on a random history, the state as of every position
// equals the state that was live right after that position was appended, captured during the run;
// for the whole-log fold, organization by organization for the fold of its streams alone, and for
// the abuse reports from the fold of their streams alone (every report, and each one by itself).
#include <catch2/catch.hpp>

#include <map>
#include <random>

#include "manual_clock.h"
#include "orgledger/commands/processor.h"
#include "orgledger/projections/as_of.h"
#include "orgledger/replay/org_fold.h"
#include "random_commands.h"
#include "seed.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

TEST_CASE("As of every position: the state that was live right after it") {
  const auto seed = test_seed("as-of");
  RandomCommands random(seed);
  std::mt19937_64 desk(seed);  // the desks' commands (abuse reports, K), one in four
  TempDir dir;
  ManualClock clock(kSampleInstant);
  auto log = ledger::Ledger::open(dir.path(), {.clock = &clock}).value();
  auto processor = commands::CommandProcessor::start(*log, clock).value();
  processor->keep_versions(16, 1000);
  REQUIRE(register_random_users(*processor) == 0);
  std::map<ledger::Position, projections::State> live;  // captured after each command
  for (int i = 0; i < 400; ++i) {
    clock.advance(random.step());
    auto command = processor->read([&](const projections::State& state) {
      return desk() % 4 == 0 ? random_desk_command(desk, state) : random.next(state);
    });
    (void)processor->submit(std::move(command));  // accepted or refused (D2 entry): both take positions
    processor->read([&](const projections::State& state) {
      live.emplace(state.position, state);  // a version: shares what later commands leave as it is
      return 0;
    });
  }
  REQUIRE(live.size() > 300);
  for (const auto& [position, expected] : live) {
    INFO("as of position " << position << " (seed " << seed << ")");
    const projections::AsOf at{projections::AsOf::Kind::position, static_cast<std::int64_t>(position)};
    auto whole = projections::fold_as_of(*log, at, clock.now());
    REQUIRE(whole);
    REQUIRE(whole->state == expected);
    // From a version the processor kept (every 16 positions here), folding only the tail.
    const auto start = processor->version_at_or_before(position);
    REQUIRE(start);
    CHECK(start->position <= position);
    auto from_version = projections::fold_as_of_from(*log, *start, at, clock.now());
    REQUIRE(from_version);
    REQUIRE(from_version->state == expected);
    REQUIRE(from_version->as_of_position == whole->as_of_position);
    for (int o = 0; o < kOrgs; ++o) {
      const std::string org = "o" + std::to_string(o);
      auto own = replay::fold_org_as_of(*log, org, at, clock.now());
      REQUIRE(own);
      REQUIRE(own->as_of_position == position);
      const auto it = expected.organizations.find(org);
      REQUIRE(own->state.organizations.contains(org) == (it != expected.organizations.end()));
      if (it != expected.organizations.end()) REQUIRE(own->state.organizations.at(org) == it->second);
    }
    auto reports = replay::fold_stream_family_as_of(*log, "abuse:", at, clock.now());
    REQUIRE(reports);
    REQUIRE(reports->as_of_position == position);
    REQUIRE(reports->default_at == whole->default_at);
    REQUIRE(reports->state.reports == expected.reports);
    for (const auto& [id, report] : expected.reports) {
      auto one = replay::fold_streams_as_of(*log, {"abuse:" + id}, at, clock.now());
      REQUIRE(one);
      REQUIRE(one->state.reports.size() == 1);
      REQUIRE(one->state.reports.at(id) == report);
    }
  }
}
