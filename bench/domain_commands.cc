#include "domain_commands.h"

#include <chrono>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

#include "bench_support.h"
#include "domain_random.h"
#include "domain_state.h"
#include "in_flight.h"

namespace orgledger::bench {
namespace {

using commands::Body;
using commands::Command;
using projections::Member;
using projections::Organization;
using projections::Role;
using projections::State;

constexpr std::size_t kOrgsTriedPerCommand = 1000;  // organizations tried for one command before giving up
constexpr double kCommandProductOnAddShare = 0.3;
constexpr double kCommandExternalShare = 0.1;

using SteadyClock = std::chrono::steady_clock;

double micros_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double, std::micro>(to - from).count();
}

class CommandMaker {
 public:
  CommandMaker(const State& state, std::uint64_t seed, std::string id_prefix)
      : index_(state), random_(seed), prefix_(std::move(id_prefix)) {}

  Command make(std::size_t sequence) {
    // The mix: mostly adding people and giving them products, some team changes and support grants.
    const std::size_t roll = random_.below(100);
    for (std::size_t attempt = 0; attempt < kOrgsTriedPerCommand; ++attempt) {
      const auto& [org_id, org] = *index_.orgs[random_.below(index_.orgs.size())];
      const std::string* actor = legal_representative(org);
      if (actor == nullptr) continue;
      std::optional<Body> body;
      if (roll < 40)
        body = add_member(org_id, org);
      else if (roll < 70)
        body = grant_product(org_id, org);
      else if (roll < 85)
        body = add_team_member(org_id, org);
      else
        body = grant_support(org_id, org, sequence);
      if (body) {
        return Command{.actor = *actor,
                       .command_id = prefix_ + std::to_string(sequence),
                       .correlation_id = {},
                       .expected_version = std::nullopt,
                       .body = std::move(*body)};
      }
    }
    throw BenchFailure("no organization fits a command of mix slot " + std::to_string(roll));
  }

 private:
  static const std::string* legal_representative(const Organization& org) {
    for (const auto& [id, member] : org.members) {
      if (member.role == Role::legal_representative) return &id;
    }
    return nullptr;
  }

  // False when (parts…) was used by an earlier command: two commands must never collide, whatever
  // order the writer takes them in.
  template <typename... Parts>
  bool first_use(const Parts&... parts) {
    std::string key;
    ((key += parts, key += '\x1f'), ...);
    return used_.insert(std::move(key)).second;
  }

  // R7: a registered user who is not a member yet.
  std::optional<Body> add_member(const std::string& org_id, const Organization& org) {
    const std::string& user = *index_.users[random_.below(index_.users.size())];
    if (org.members.contains(user) || !first_use("member", org_id, user)) return std::nullopt;
    commands::AddMember add{.org = org_id, .user = user};
    add.role = random_.chance(kCommandExternalShare) ? Role::external : Role::collaborator;
    if (!org.products.empty() && random_.chance(kCommandProductOnAddShare)) add.products = {random_.pick(org.products).first};
    return add;
  }

  // P2: a collaborator or external, a product they have no direct grant of.
  std::optional<Body> grant_product(const std::string& org_id, const Organization& org) {
    const auto& [user, member] = random_.pick(org.members);
    if (member.role == Role::legal_representative || member.role == Role::administrator || org.products.empty()) {
      return std::nullopt;
    }
    const std::string& product = random_.pick(org.products).first;
    if (member.products.contains(product) || !first_use("product", org_id, user, product)) return std::nullopt;
    return commands::GrantProductAccess{.org = org_id, .user = user, .product = product};
  }

  // T2: a member who is not in the team yet.
  std::optional<Body> add_team_member(const std::string& org_id, const Organization& org) {
    if (org.teams.empty()) return std::nullopt;
    const auto& [team_id, team] = random_.pick(org.teams);
    const std::string& user = random_.pick(org.members).first;
    if (team.members.contains(user) || !first_use("team", org_id, team_id, user)) return std::nullopt;
    return commands::AddTeamMembers{.org = org_id, .team = team_id, .users = {user}};
  }

  // S1: one product of a supported kind, by the legal representative (who reaches every product).
  std::optional<Body> grant_support(const std::string& org_id, const Organization& org, std::size_t sequence) {
    std::vector<std::pair<const std::string*, projections::SupportScope>> supported;
    for (const auto& [id, product] : org.products) {
      if (auto scope = scope_for_kind(product.kind)) supported.emplace_back(&id, *scope);
    }
    if (supported.empty()) return std::nullopt;
    const auto& [product, scope] = supported[random_.below(supported.size())];
    return commands::GrantSupportAccess{.org = org_id,
                                        .grant = prefix_ + "g" + std::to_string(sequence),
                                        .scope = scope,
                                        .resource = *product,
                                        .ticket = prefix_ + "tk" + std::to_string(sequence)};
  }

  const StateIndex index_;
  Random random_;
  const std::string prefix_;
  std::set<std::string> used_;
};

// Counts outcomes; answers arrive on the ledger's threads.
class Outcomes {
 public:
  explicit Outcomes(CommandRun& run) : run_(run) {}

  void record(const commands::Outcome& outcome) {
    std::lock_guard lock(mutex_);
    if (outcome) {
      ++run_.accepted;
      return;
    }
    const auto& failure = outcome.error();
    ++(failure.ledger ? run_.failed : run_.refused);
    if (!run_.first_problem.empty()) return;
    if (failure.rejection) {
      run_.first_problem = std::string(commands::to_string(failure.rejection->code)) + " " + failure.rejection->rule +
                           ": " + failure.rejection->detail;
    } else if (failure.ledger) {
      run_.first_problem = std::string(ledger::to_string(failure.ledger->code)) + ": " + failure.ledger->message;
    }
  }

 private:
  std::mutex mutex_;
  CommandRun& run_;
};

}  // namespace

std::vector<Command> make_commands(const State& state, std::size_t count, std::uint64_t seed,
                                   const std::string& id_prefix) {
  CommandMaker maker(state, seed, id_prefix);
  std::vector<Command> out;
  out.reserve(count);
  for (std::size_t i = 0; i < count; ++i) out.push_back(maker.make(i));
  return out;
}

CommandRun submit_async(commands::CommandProcessor& processor, std::vector<Command> commands, std::size_t in_flight,
                        double max_seconds) {
  CommandRun run;
  run.micros.assign(commands.size(), 0);
  Outcomes outcomes(run);
  InFlight limit(in_flight);
  const Stopwatch elapsed;
  std::size_t submitted = 0;
  for (std::size_t i = 0; i < commands.size(); ++i) {
    if (!limit.acquire_within(elapsed, max_seconds)) break;
    ++submitted;
    const auto start = SteadyClock::now();
    processor.submit(std::move(commands[i]), [&, i, start](commands::Outcome outcome) {
      run.micros[i] = micros_between(start, SteadyClock::now());
      outcomes.record(outcome);
      limit.release();
    });
  }
  limit.wait_idle();
  run.seconds = elapsed.seconds();
  run.micros.resize(submitted);
  return run;
}

CommandRun submit_blocking(commands::CommandProcessor& processor, std::vector<Command> commands) {
  CommandRun run;
  run.micros.reserve(commands.size());
  Outcomes outcomes(run);
  const Stopwatch elapsed;
  for (auto& command : commands) {
    const auto start = SteadyClock::now();
    const auto outcome = processor.submit(std::move(command));
    run.micros.push_back(micros_between(start, SteadyClock::now()));
    outcomes.record(outcome);
  }
  run.seconds = elapsed.seconds();
  return run;
}

}  // namespace orgledger::bench
