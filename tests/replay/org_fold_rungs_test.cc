// D3 for one organization from rungs (replay/org_fold_rungs.h): every answer equals the fold of the
// organization's whole history (org_fold.h), whatever rungs were kept or evicted before, and a
// question near a rung folds at most `every` of the organization's events.
#include <catch2/catch.hpp>

#include <algorithm>
#include <future>
#include <random>

#include "manual_clock.h"
#include "orgledger/commands/processor.h"
#include "orgledger/replay/org_fold.h"
#include "orgledger/replay/org_fold_rungs.h"
#include "random_commands.h"
#include "seed.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

commands::Command by(std::string actor, commands::Body body) {
  return commands::Command{std::move(actor), "", "", std::nullopt, std::move(body)};
}

projections::AsOf at_position(ledger::Position position) {
  return projections::AsOf{projections::AsOf::Kind::position, static_cast<std::int64_t>(position)};
}

// A random history of `commands` commands over kOrgs organizations (random_commands.h) in a fresh
// store, accepted or refused alike: both take positions.
struct RandomHistory {
  RandomHistory(std::uint64_t seed, int commands)
      : random(seed),
        log(ledger::Ledger::open(dir.path(), {.clock = &clock}).value()),
        processor(commands::CommandProcessor::start(*log, clock).value()),
        unregistered(register_random_users(*processor)) {
    for (int i = 0; i < commands; ++i) {
      clock.advance(random.step());
      auto command = processor->read([&](const projections::State& state) { return random.next(state); });
      (void)processor->submit(std::move(command));
    }
  }
  TempDir dir;
  ManualClock clock{kSampleInstant};
  RandomCommands random;
  std::unique_ptr<ledger::Ledger> log;
  std::unique_ptr<commands::CommandProcessor> processor;
  int unregistered = 0;  // register_random_users' failures
};

}  // namespace

TEST_CASE("org fold rungs: every answer equals the fold of the whole history, in any order, rungs evicted or not") {
  const auto seed = test_seed("org-fold-rungs");
  RandomHistory history(seed, 600);
  REQUIRE(history.unregistered == 0);
  auto& log = history.log;
  auto& clock = history.clock;
  const ledger::Position head = log->head().position;
  std::vector<ledger::Position> positions(head);
  for (ledger::Position p = 1; p <= head; ++p) positions[p - 1] = p;
  std::mt19937_64 order(seed);
  // every 3: a rung every few events of each organization, so that most questions start from one;
  // 12 rungs in all for 3 organizations: evictions all along.
  replay::OrgFoldRungs rungs({.every = 3, .max_rungs = 12});
  for (int round = 0; round < 2; ++round) {
    std::shuffle(positions.begin(), positions.end(), order);
    for (const auto position : positions) {
      for (int o = 0; o < kOrgs; ++o) {
        const std::string org = "o" + std::to_string(o);
        INFO("organization " << org << " as of " << position << " (seed " << seed << ")");
        auto expected = replay::fold_org_as_of(*log, org, at_position(position), clock.now());
        auto folded = rungs.fold(*log, org, at_position(position), clock.now());
        REQUIRE(expected);
        REQUIRE(folded);
        REQUIRE(folded->as_of_position == expected->as_of_position);
        REQUIRE(folded->default_at == expected->default_at);
        REQUIRE(folded->state == expected->state);
      }
    }
  }
  CHECK(rungs.rungs() <= 12);
  // Now (no as-of) and as of an instant resolve as the whole fold does.
  for (int o = 0; o < kOrgs; ++o) {
    const std::string org = "o" + std::to_string(o);
    const projections::AsOf instant{projections::AsOf::Kind::instant, kSampleInstant + (clock.now() - kSampleInstant) / 2};
    for (const auto& as_of : {std::optional<projections::AsOf>{}, std::optional<projections::AsOf>{instant}}) {
      auto expected = replay::fold_org_as_of(*log, org, as_of, clock.now());
      auto folded = rungs.fold(*log, org, as_of, clock.now());
      REQUIRE(folded);
      CHECK(folded->as_of_position == expected->as_of_position);
      CHECK(folded->default_at == expected->default_at);
      CHECK(folded->state == expected->state);
    }
  }
}

TEST_CASE("org fold rungs: their estimated bytes stay within max_bytes, a larger organization's rungs weigh more, and answers stay whole") {
  // The count alone did not bound the memory: each rung owns a copy of its organization.
  const auto seed = test_seed("org-fold-rungs, bytes");
  RandomHistory history(seed, 800);
  REQUIRE(history.unregistered == 0);
  auto& log = history.log;
  auto& clock = history.clock;
  const ledger::Position head = log->head().position;
  constexpr std::size_t kBound = 4 * 1024;
  replay::OrgFoldRungs bounded({.every = 1, .max_rungs = 100'000, .max_bytes = kBound});
  replay::OrgFoldRungs unbounded({.every = 1, .max_rungs = 100'000, .max_bytes = std::size_t{1} << 40});
  std::size_t most = 0;
  for (ledger::Position position = head; position >= 1; position -= 7) {
    for (int o = 0; o < kOrgs; ++o) {
      const std::string org = "o" + std::to_string(o);
      INFO("organization " << org << " as of " << position << " (seed " << seed << ")");
      auto expected = replay::fold_org_as_of(*log, org, at_position(position), clock.now());
      auto folded = bounded.fold(*log, org, at_position(position), clock.now());
      REQUIRE(unbounded.fold(*log, org, at_position(position), clock.now()));
      REQUIRE(expected);
      REQUIRE(folded);
      REQUIRE(folded->state == expected->state);
      REQUIRE(bounded.rungs_bytes() <= kBound);
      most = std::max(most, bounded.rungs());
    }
    if (position <= 7) break;
  }
  INFO("seed " << seed);
  CHECK(most > 0);
  INFO("unbounded: " << unbounded.rungs() << " rungs, " << unbounded.rungs_bytes() << " bytes");
  CHECK(unbounded.rungs_bytes() > 4 * kBound);  // the bound is what kept `bounded` small
  // Bytes per rung grow with the organization: the rungs of the second half of a history weigh
  // more than those of the first (the organization with the longest stream).
  std::string org;
  std::size_t longest = 0;
  for (int o = 0; o < kOrgs; ++o) {
    replay::OrgFoldRungs all({.every = 1});
    REQUIRE(all.fold(*log, "o" + std::to_string(o), at_position(head), clock.now()));
    if (all.rungs() > longest) longest = all.rungs(), org = "o" + std::to_string(o);
  }
  replay::OrgFoldRungs first_half({.every = 1}), whole({.every = 1});
  REQUIRE(first_half.fold(*log, org, at_position(head / 2), clock.now()));
  REQUIRE(whole.fold(*log, org, at_position(head), clock.now()));
  const auto second_half_rungs = whole.rungs() - first_half.rungs();
  REQUIRE(first_half.rungs() > 0);
  REQUIRE(second_half_rungs > 0);
  INFO(org << ": first half " << first_half.rungs() << " rungs, " << first_half.rungs_bytes() << " bytes; whole "
           << whole.rungs() << ", " << whole.rungs_bytes());
  CHECK((whole.rungs_bytes() - first_half.rungs_bytes()) / second_half_rungs > first_half.rungs_bytes() / first_half.rungs());
}

TEST_CASE("org fold rungs: four threads asking at once get the whole fold's answers, while rungs are made and evicted") {
  // The server's threads share one OrgFoldRungs (api/server_impl.h); scripts/test runs this under
  // TSan. Catch2's assertions are not thread-safe: the threads count mismatches, the test checks.
  const auto seed = test_seed("org-fold-rungs, threads");
  RandomHistory history(seed, 300);
  REQUIRE(history.unregistered == 0);
  auto& log = history.log;
  auto& clock = history.clock;
  const ledger::Position head = log->head().position;
  replay::OrgFoldRungs rungs({.every = 2, .max_rungs = 8});
  const auto now = clock.now();
  auto ask = [&](std::uint64_t thread_seed) {
    std::mt19937_64 pick(thread_seed);
    int mismatches = 0;
    for (int question = 0; question < 150; ++question) {
      const std::string org = "o" + std::to_string(pick() % kOrgs);
      const auto cut = at_position(1 + pick() % head);
      auto expected = replay::fold_org_as_of(*log, org, cut, now);
      auto folded = rungs.fold(*log, org, cut, now);
      mismatches += !expected || !folded || folded->as_of_position != expected->as_of_position ||
                    folded->default_at != expected->default_at || !(folded->state == expected->state);
    }
    return mismatches;
  };
  std::vector<std::future<int>> threads;
  for (std::uint64_t t = 0; t < 4; ++t) threads.push_back(std::async(std::launch::async, ask, seed + t));
  int mismatches = 0;
  for (auto& thread : threads) mismatches += thread.get();
  INFO("seed " << seed);
  CHECK(mismatches == 0);
  CHECK(rungs.rungs() <= 8);
}

TEST_CASE("org fold rungs: a question folds at most `every` of the organization's events past its nearest rung") {
  TempDir dir;
  ManualClock clock(kSampleInstant);
  auto log = ledger::Ledger::open(dir.path(), {.clock = &clock}).value();
  auto processor = commands::CommandProcessor::start(*log, clock).value();
  REQUIRE(processor->submit(by("svc:signup", commands::RegisterUser{"carol", "carol@example.ch"})));
  REQUIRE(processor->submit(by("svc:signup", commands::RegisterUser{"dan", "dan@example.ch"})));
  REQUIRE(processor->submit(by("carol", commands::CreateOrganization{"acme", "Acme"})));
  // A long history: dan joins and leaves 1 500 times (3 000 events of org:acme).
  for (int i = 0; i < 1500; ++i) {
    REQUIRE(processor->submit(by("carol", commands::AddMember{.org = "acme", .user = "dan", .role = projections::Role::collaborator})));
    REQUIRE(processor->submit(by("carol", commands::RemoveMember{"acme", "dan"})));
  }
  constexpr std::size_t kEvery = 100;
  replay::OrgFoldRungs rungs({.every = kEvery, .max_rungs = 1000});
  const ledger::Position head = log->head().position;
  REQUIRE(rungs.fold(*log, "acme", std::nullopt, clock.now()));  // the first question pays it all
  CHECK(rungs.events_folded() >= 3000);
  CHECK(rungs.rungs() >= 3000 / kEvery - 1);
  std::mt19937_64 random(7);
  for (int i = 0; i < 200; ++i) {
    const ledger::Position position = 1 + random() % head;
    const std::size_t before = rungs.events_folded();
    auto folded = rungs.fold(*log, "acme", at_position(position), clock.now());
    REQUIRE(folded);
    INFO("as of " << position);
    CHECK(rungs.events_folded() - before <= kEvery);
    CHECK(folded->state == replay::fold_org_as_of(*log, "acme", at_position(position), clock.now())->state);
  }
}
