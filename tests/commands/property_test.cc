// Property test (seeded; ORGLEDGER_SEED replays): thousands of random commands from several
// actors, submitted in bursts so that many are decided within one group commit. After each burst:
// R3 holds for every organization, every allowed check has a reason and every denial says what is
// missing, the yes/no fast path allows() answers as check(); and a fresh replay of the log gives
// exactly the live state.
#include <catch2/catch.hpp>

#include <future>
#include <random>

#include "manual_clock.h"
#include "orgledger/commands/processor.h"
#include "orgledger/projections/access.h"
#include "orgledger/projections/evolve.h"
#include "random_commands.h"
#include "seed.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::commands;
using namespace orgledger::testing;

namespace {

constexpr int kBursts = 500, kBurstSize = 8;

void check_invariants(const projections::State& state, ledger::Micros now) {
  for (const auto& [org_id, org] : state.organizations) {
    INFO("organization " << org_id);
    std::size_t legal = 0;
    for (const auto& [user, member] : org.members) legal += member.role == Role::legal_representative;
    REQUIRE(legal >= 1);  // R3
    for (int u = 0; u < kUsers; ++u) {
      const std::string user = "u" + std::to_string(u);
      for (int a = 0; a <= static_cast<int>(projections::Action::org_wide_share); ++a) {
        projections::CheckRequest request{org_id, user, static_cast<projections::Action>(a), {}, {}, {}};
        if (request.action == projections::Action::product_access) {
          for (const auto& [product, _] : org.products) {
            request.product = product;
            const auto result = projections::check(state, request, now);
            REQUIRE(result.allowed == !result.because.empty());
            REQUIRE(result.allowed != !result.missing.empty());
            REQUIRE(projections::allows(state, request, now) == result.allowed);
          }
          request.product = "p-unknown";
          REQUIRE_FALSE(projections::allows(state, request, now));
          continue;
        }
        const auto result = projections::check(state, request, now);
        REQUIRE(result.allowed == !result.because.empty());
        REQUIRE(result.allowed != !result.missing.empty());
        REQUIRE(projections::allows(state, request, now) == result.allowed);
      }
    }
  }
}

projections::State replay(const ledger::Ledger& log) {
  projections::State state;
  for (ledger::Position next = 1; next <= log.head().position;) {
    const auto events = log.read(next, 10'000).value();
    for (const auto& event : events) projections::evolve(state, event);
    next += events.size();
  }
  return state;
}

}  // namespace

TEST_CASE("property: random commands keep R3, explain every check, and replay to the live state") {
  const auto seed = test_seed("property");
  RandomCommands commands(seed);
  TempDir dir;
  ManualClock clock(kSampleInstant);
  auto log = ledger::Ledger::open(dir.path(), {.clock = &clock}).value();
  auto processor = CommandProcessor::start(*log, clock).value();
  REQUIRE(register_random_users(*processor) == 0);
  int accepted = 0, refused = 0;
  for (int burst = 0; burst < kBursts; ++burst) {
    clock.advance(commands.step());
    std::vector<std::future<Outcome>> outcomes;
    for (int i = 0; i < kBurstSize; ++i) {
      auto promise = std::make_shared<std::promise<Outcome>>();
      outcomes.push_back(promise->get_future());
      auto command = processor->read([&](const projections::State& state) { return commands.next(state); });
      processor->submit(std::move(command), [promise](Outcome o) { promise->set_value(std::move(o)); });
    }
    for (auto& outcome : outcomes) {
      auto result = outcome.get();
      if (result) {
        ++accepted;
      } else {
        REQUIRE(result.error().rejection.has_value());  // never a ledger failure
        ++refused;
      }
    }
    processor->read([&](const projections::State& state) {
      check_invariants(state, clock.now());
      return 0;
    });
    if (burst % 50 == 49 || burst == kBursts - 1) {
      const auto live = processor->read([](const projections::State& state) { return state; });
      REQUIRE(replay(*log) == live);
    }
  }
  INFO("accepted " << accepted << ", refused " << refused);
  CHECK(accepted > 200);
  CHECK(refused > 200);
}
