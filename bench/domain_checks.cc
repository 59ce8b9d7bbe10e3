#include "domain_checks.h"

#include <algorithm>
#include <chrono>
#include <set>
#include <string>
#include <utility>

#include "bench_support.h"
#include "domain_random.h"
#include "domain_state.h"

namespace orgledger::bench {
namespace {

using projections::Action;
using projections::CheckRequest;
using projections::Member;
using projections::Organization;
using projections::Role;
using projections::State;

struct KindInfo {
  CheckKind kind;
  const char* name;
  unsigned percent;  // share of the mix
  std::optional<bool> expected;
};

// The mix of issue 3: mostly product.access, with the three reasons and two denials, then the
// organization's own capabilities, then support agents.
constexpr std::array<KindInfo, kCheckKinds> kCheckKindInfo{{
    {CheckKind::product_by_role, "product_by_role", 20, true},
    {CheckKind::product_by_direct, "product_by_direct", 15, true},
    {CheckKind::product_by_team, "product_by_team", 15, true},
    {CheckKind::product_without_grant, "product_without_grant", 10, false},
    {CheckKind::product_non_member, "product_non_member", 10, false},
    {CheckKind::billing, "billing", 10, std::nullopt},
    {CheckKind::manage_members, "manage_members", 10, std::nullopt},
    {CheckKind::support_assigned_agent, "support_assigned_agent", 7, true},
    {CheckKind::support_other_agent, "support_other_agent", 3, false},
}};

constexpr std::size_t kOrgsTriedPerCase = 1000;  // organizations tried for one case before giving up
constexpr std::size_t kWarmup = 10'000;
constexpr std::size_t kTimerSamples = 100'000;
constexpr std::size_t kBatch = 16;

using SteadyClock = std::chrono::steady_clock;

double nanos_between(SteadyClock::time_point from, SteadyClock::time_point to) {
  return std::chrono::duration<double, std::nano>(to - from).count();
}

bool administers(const Member& member) {
  return member.role == Role::legal_representative || member.role == Role::administrator;
}

// Draws cases of one kind from the state; each draw returns nullopt when the organization it
// picked has nothing of the kind (then another organization is tried).
class CaseMaker {
 public:
  CaseMaker(const State& state, std::uint64_t seed) : state_(state), index_(state), random_(seed) {
    for (const auto* entry : index_.orgs) {
      if (!entry->second.grants.empty()) orgs_with_grants_.push_back(entry);
    }
    std::set<std::string> agents;
    for (const auto& [id, ticket] : state.tickets) {
      if (ticket.agent) agents.insert(*ticket.agent);
    }
    agents_.assign(agents.begin(), agents.end());
  }

  // A kind of the mix; without support grants (--grants 0) or with a single agent, the support
  // kinds that cannot be built are drawn again.
  CheckKind pick_kind() {
    for (;;) {
      std::size_t roll = random_.below(100);
      std::size_t k = 0;
      while (roll >= kCheckKindInfo[k].percent) roll -= kCheckKindInfo[k++].percent;
      if (possible(kCheckKindInfo[k].kind)) return kCheckKindInfo[k].kind;
    }
  }

  CheckCase make(CheckKind kind) {
    const bool support = kind == CheckKind::support_assigned_agent || kind == CheckKind::support_other_agent;
    const auto& pool = support ? orgs_with_grants_ : index_.orgs;
    if (!possible(kind)) throw BenchFailure(std::string("the state has nothing for checks of kind ") + to_string(kind));
    for (std::size_t attempt = 0; attempt < kOrgsTriedPerCase; ++attempt) {
      const auto& [org_id, org] = *pool[random_.below(pool.size())];
      if (auto request = draw(kind, org_id, org)) return CheckCase{kind, std::move(*request)};
    }
    throw BenchFailure(std::string("no organization fits checks of kind ") + to_string(kind));
  }

 private:
  bool possible(CheckKind kind) const {
    if (kind == CheckKind::support_assigned_agent) return !orgs_with_grants_.empty();
    if (kind == CheckKind::support_other_agent) return !orgs_with_grants_.empty() && agents_.size() >= 2;
    return true;
  }

  std::optional<CheckRequest> draw(CheckKind kind, const std::string& org_id, const Organization& org) {
    switch (kind) {
      case CheckKind::product_by_role:
        return by_role(org_id, org);
      case CheckKind::product_by_direct:
        return by_direct(org_id, org);
      case CheckKind::product_by_team:
        return by_team(org_id, org);
      case CheckKind::product_without_grant:
        return without_grant(org_id, org);
      case CheckKind::product_non_member:
        return non_member(org_id, org);
      case CheckKind::billing:
        return capability(org_id, org, Action::org_billing);
      case CheckKind::manage_members:
        return capability(org_id, org, Action::org_manage_members);
      case CheckKind::support_assigned_agent:
        return support(org_id, org, true);
      case CheckKind::support_other_agent:
        return support(org_id, org, false);
    }
    return std::nullopt;
  }

  static CheckRequest product_request(const std::string& org, const std::string& user, const std::string& product) {
    return CheckRequest{.org = org, .user = user, .action = Action::product_access, .product = product};
  }

  // A member satisfying `wanted`, or null.
  template <typename Predicate>
  const projections::SortedIdMap<Member>::value_type* member_where(const Organization& org, Predicate wanted) {
    std::vector<const projections::SortedIdMap<Member>::value_type*> found;
    for (const auto& entry : org.members) {
      if (wanted(entry.second)) found.push_back(&entry);
    }
    return found.empty() ? nullptr : found[random_.below(found.size())];
  }

  std::optional<CheckRequest> by_role(const std::string& org_id, const Organization& org) {
    const auto* member = member_where(org, administers);
    if (member == nullptr || org.products.empty()) return std::nullopt;
    return product_request(org_id, member->first, random_.pick(org.products).first);
  }

  std::optional<CheckRequest> by_direct(const std::string& org_id, const Organization& org) {
    const auto* member = member_where(org, [](const Member& m) { return !m.products.empty(); });
    if (member == nullptr) return std::nullopt;
    return product_request(org_id, member->first, random_.pick(member->second.products).first);
  }

  std::optional<CheckRequest> by_team(const std::string& org_id, const Organization& org) {
    std::vector<const projections::Team*> teams;
    for (const auto& [id, team] : org.teams) {
      if (!team.members.empty() && !team.products.empty()) teams.push_back(&team);
    }
    if (teams.empty()) return std::nullopt;
    const auto& team = *teams[random_.below(teams.size())];
    return product_request(org_id, random_.pick(team.members).first, random_.pick(team.products).first);
  }

  // A product the member reaches neither directly nor through a team (worked out here, not with
  // the function under test).
  std::optional<CheckRequest> without_grant(const std::string& org_id, const Organization& org) {
    const auto* member = member_where(org, [](const Member& m) { return !administers(m); });
    if (member == nullptr) return std::nullopt;
    std::vector<const std::string*> unreachable;
    for (const auto& [product, info] : org.products) {
      bool reached = member->second.products.contains(product);
      for (const auto& [id, team] : org.teams) {
        reached = reached || (team.members.contains(member->first) && team.products.contains(product));
      }
      if (!reached) unreachable.push_back(&product);
    }
    if (unreachable.empty()) return std::nullopt;
    return product_request(org_id, member->first, *unreachable[random_.below(unreachable.size())]);
  }

  std::optional<CheckRequest> non_member(const std::string& org_id, const Organization& org) {
    const std::string& user = *index_.users[random_.below(index_.users.size())];
    if (org.members.contains(user) || org.products.empty()) return std::nullopt;
    return product_request(org_id, user, random_.pick(org.products).first);
  }

  std::optional<CheckRequest> capability(const std::string& org_id, const Organization& org, Action action) {
    if (org.members.empty()) return std::nullopt;
    return CheckRequest{.org = org_id, .user = random_.pick(org.members).first, .action = action};
  }

  // S1/S4: a resource the grant covers: its own resource or a message inside it, else (a grant of
  // the whole scope) one of the organization's products of the scope's kind.
  std::optional<CheckRequest> support(const std::string& org_id, const Organization& org, bool assigned) {
    const auto& [grant_id, grant] = random_.pick(org.grants);
    auto ticket = state_.tickets.find(grant.ticket);
    if (ticket == state_.tickets.end() || !ticket->second.agent) return std::nullopt;
    std::string resource;
    if (grant.resource) {
      resource = *grant.resource;
    } else {
      std::vector<const std::string*> products;
      for (const auto& [id, product] : org.products) {
        if (product.kind == projections::product_kind_of(grant.scope)) products.push_back(&id);
      }
      if (products.empty()) return std::nullopt;
      resource = *products[random_.below(products.size())];
    }
    if (random_.chance(0.5)) resource += "/item-" + std::to_string(random_.below(1000));
    std::string agent = *ticket->second.agent;
    if (!assigned) {
      while (agent == *ticket->second.agent) agent = agents_[random_.below(agents_.size())];
    }
    return CheckRequest{.org = org_id,
                        .user = std::move(agent),
                        .action = Action::support_access,
                        .scope = grant.scope,
                        .resource = std::move(resource)};
  }

  const State& state_;
  const StateIndex index_;
  Random random_;
  std::vector<const OrganizationEntry*> orgs_with_grants_;
  std::vector<std::string> agents_;
};

double timer_overhead_nanos() {
  std::vector<double> samples;
  samples.reserve(kTimerSamples);
  for (std::size_t i = 0; i < kTimerSamples; ++i) {
    const auto start = SteadyClock::now();
    samples.push_back(nanos_between(start, SteadyClock::now()));
  }
  return median(std::move(samples));
}

}  // namespace

const char* to_string(CheckKind kind) { return kCheckKindInfo[static_cast<std::size_t>(kind)].name; }

std::optional<bool> expected_outcome(CheckKind kind) { return kCheckKindInfo[static_cast<std::size_t>(kind)].expected; }

std::vector<CheckCase> make_check_cases(const State& state, std::size_t count, std::uint64_t seed) {
  CaseMaker maker(state, seed);
  std::vector<CheckCase> cases;
  cases.reserve(count);
  for (std::size_t i = 0; i < count; ++i) cases.push_back(maker.make(maker.pick_kind()));
  return cases;
}

CheckRun run_checks(const State& state, const std::vector<CheckCase>& cases, ledger::Micros at) {
  const projections::StateView view(state);
  CheckRun run;
  for (std::size_t i = 0; i < std::min(kWarmup, cases.size()); ++i) check(view, cases[i].request, at);
  run.timer_nanos = timer_overhead_nanos();

  // Each check alone; the result (and its reasons) is destroyed inside the timed span, as a caller
  // that only looks at `allowed` would.
  run.nanos.reserve(cases.size());
  std::size_t allowed_alone = 0;
  std::size_t allowed_in_full_batches = 0;
  const std::size_t batched = cases.size() / kBatch * kBatch;
  const Stopwatch elapsed;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const auto start = SteadyClock::now();
    const bool allowed = check(view, cases[i].request, at).allowed;
    run.nanos.push_back(nanos_between(start, SteadyClock::now()));
    auto& tally = run.tally[static_cast<std::size_t>(cases[i].kind)];
    ++tally.asked;
    tally.allowed += allowed;
    allowed_alone += allowed;
    if (i + 1 == batched) allowed_in_full_batches = allowed_alone;
  }
  run.seconds = elapsed.seconds();

  // Again in batches, which takes most of the timer's own cost out of the figure.
  std::size_t allowed_in_batches = 0;
  run.batch_nanos.reserve(batched / kBatch);
  for (std::size_t first = 0; first < batched; first += kBatch) {
    const auto start = SteadyClock::now();
    for (std::size_t i = first; i < first + kBatch; ++i)
      allowed_in_batches += check(view, cases[i].request, at).allowed;
    run.batch_nanos.push_back(nanos_between(start, SteadyClock::now()) / kBatch);
  }
  if (allowed_in_batches != allowed_in_full_batches) throw BenchFailure("the same checks answered differently twice");
  return run;
}

}  // namespace orgledger::bench
