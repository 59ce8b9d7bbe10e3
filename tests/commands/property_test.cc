// Property test (seeded; ORGLEDGER_SEED replays): thousands of random commands from several
// actors, submitted in bursts so that many are decided within one group commit. After each burst:
// R3 holds for every organization, every allowed check has a reason and every denial says what is
// missing; and a fresh replay of the log gives exactly the live state.
#include <catch2/catch.hpp>

#include <future>
#include <random>

#include "manual_clock.h"
#include "orgledger/commands/processor.h"
#include "orgledger/projections/access.h"
#include "orgledger/projections/evolve.h"
#include "seed.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::commands;
using namespace orgledger::testing;

namespace {

constexpr int kUsers = 8, kOrgs = 3, kBursts = 500, kBurstSize = 8;

class RandomCommands {
 public:
  explicit RandomCommands(std::uint64_t seed) : random_(seed) {}

  // Most actors are chosen among the organization's administrators, so that rules beyond R1 get
  // exercised; the others are anyone, to keep the refusals coming.
  Command next(const projections::State& state) {
    const std::string org = "o" + std::to_string(pick(kOrgs));
    std::vector<std::string> administrators;
    if (auto it = state.organizations.find(org); it != state.organizations.end()) {
      for (const auto& [id, member] : it->second.members) {
        if (member.role == Role::legal_representative || member.role == Role::administrator) administrators.push_back(id);
      }
    }
    const std::string user = this->user();
    const std::string product = "p" + std::to_string(pick(3));
    const std::string team = "t" + std::to_string(pick(2));
    const std::string grant = "g" + std::to_string(pick(4));
    const Role role = static_cast<Role>(pick(4));
    Body body;
    switch (pick(17)) {
      case 0: body = CreateOrganization{org, "Org"}; break;
      case 1: case 2: body = AddMember{.org = org, .user = user, .role = role}; break;
      case 3: body = ChangeMemberRole{org, user, role}; break;
      case 4: body = RemoveMember{org, user}; break;
      case 5: body = LeaveOrganization{org}; break;
      case 6: body = HandoverLegalRepresentative{org, this->user(), user, pick(2) ? HandoverThen::remove : HandoverThen::administrator}; break;
      case 7: body = SetBillingRights{org, user, pick(2) == 0}; break;
      case 8: body = RegisterProduct{org, product, pick(2) ? "mail_service" : "kdrive", "P", {}}; break;
      case 9: body = GrantProductAccess{org, user, product}; break;
      case 10: body = CreateTeam{org, team, "Team"}; break;
      case 11: body = AddTeamMembers{org, team, {user}}; break;
      case 12: body = GrantTeamProductAccess{org, team, product}; break;
      case 13: body = pick(2) ? Body{DeleteTeam{org, team}} : Body{RemoveTeamMembers{org, team, {user}}}; break;
      case 14: body = GrantSupportAccess{org, grant, pick(2) ? SupportScope::mail : SupportScope::kdrive, std::nullopt, "T" + std::to_string(pick(2))}; break;
      case 15: body = RevokeSupportAccess{org, grant}; break;
      default: body = AssignSupportTicket{"T" + std::to_string(pick(2)), "agent:a" + std::to_string(pick(2))}; break;
    }
    std::string actor = pick(10) == 0 ? "svc:billing" : pick(10) == 0 ? "agent:a0" : this->user();
    if (!administrators.empty() && pick(10) < 6) actor = administrators[static_cast<std::size_t>(pick(static_cast<int>(administrators.size())))];
    return Command{actor, "", "", std::nullopt, std::move(body)};
  }
  ledger::Micros step() { return static_cast<ledger::Micros>(pick(3 * 3600)) * 1'000'000; }  // up to 3 h

 private:
  int pick(int n) { return static_cast<int>(random_() % static_cast<std::uint64_t>(n)); }
  std::string user() { return "u" + std::to_string(pick(kUsers)); }
  std::mt19937_64 random_;
};

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
          }
          continue;
        }
        const auto result = projections::check(state, request, now);
        REQUIRE(result.allowed == !result.because.empty());
        REQUIRE(result.allowed != !result.missing.empty());
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
  for (int u = 0; u < kUsers; ++u) {
    const std::string user = "u" + std::to_string(u);
    REQUIRE(processor->submit(Command{"svc:signup", "", "", std::nullopt, RegisterUser{user, user + "@example.ch"}}));
  }
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
