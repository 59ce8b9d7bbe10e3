#include "orgledger/projections/reverse_lookup.h"

#include "orgledger/projections/partners.h"

#include <algorithm>
#include <set>

namespace orgledger::projections {
namespace {

constexpr Action kOrgActions[] = {Action::org_billing,      Action::org_manage_members,
                                  Action::org_manage_teams, Action::org_assign_legal_representative,
                                  Action::org_edit_details, Action::org_wide_share};

// The support agents (S4: the agent assigned to a grant's ticket) of `org`'s grants.
std::set<std::string> agents_of(const StateView& state, const Organization& org) {
  std::set<std::string> agents;
  for (const auto& [_, grant] : org.grants) {
    const auto* ticket = state.ticket(grant.ticket);
    if (ticket != nullptr && ticket->agent) agents.insert(*ticket->agent);
  }
  return agents;
}

std::optional<SupportScope> scope_for_kind(std::string_view kind) {
  for (auto scope : {SupportScope::mail, SupportScope::kdrive, SupportScope::kchat}) {
    if (product_kind_of(scope) == kind) return scope;
  }
  return std::nullopt;
}

// support.access of `agent` in `scope` for each of `resources`, as check() answers it; every
// grant that allows once, in the order found.
std::vector<Reason> support_reasons_for(const StateView& state, const std::string& org_id, const std::string& agent,
                                        SupportScope scope, const std::set<std::optional<std::string>>& resources,
                                        Micros at) {
  std::vector<Reason> because;
  for (const auto& resource : resources) {
    const auto result =
        check(state, CheckRequest{org_id, agent, Action::support_access, std::nullopt, scope, resource}, at);
    for (const auto& reason : result.because) {
      const bool seen =
          std::any_of(because.begin(), because.end(), [&](const Reason& r) { return r.grant == reason.grant; });
      if (!seen) because.push_back(reason);
    }
  }
  return because;
}

// support.access of `agent` in `scope`: the whole scope and each resource a grant of that scope
// names, so that a grant on one resource counts too (S1).
std::vector<Reason> support_reasons(const StateView& state, const std::string& org_id, const Organization& org,
                                    const std::string& agent, SupportScope scope, Micros at) {
  std::set<std::optional<std::string>> asked{std::nullopt};
  for (const auto& [_, grant] : org.grants) {
    if (grant.scope == scope && grant.resource) asked.insert(grant.resource);
  }
  return support_reasons_for(state, org_id, agent, scope, asked, at);
}

}  // namespace

std::map<std::string, std::vector<Reason>> product_access_holders(const StateView& state, const std::string& org_id,
                                                                  const std::string& product, Micros at) {
  std::map<std::string, std::vector<Reason>> holders;
  const Organization* org = state.organization(org_id);
  if (org == nullptr) return holders;
  auto product_it = org->products.find(product);
  if (product_it == org->products.end()) return holders;
  for (const auto& [user, _] : org->members) {
    auto reasons = product_access_reasons(*org, user, product);
    if (!reasons.empty()) holders.emplace(user, std::move(reasons));
  }
  // C2: partner managers, as check() counts them.
  for (const auto& manager : partner_managers(*org)) {
    auto reasons = partner_reasons(*org, manager, product);
    if (reasons.empty()) continue;
    auto& all = holders[manager];
    all.insert(all.end(), reasons.begin(), reasons.end());
  }
  // Support agents reach the product through its scope (S1: mail → mail_service, …): the whole
  // product, or a resource in it. Asked of check() for each such resource, so that the answer is
  // exactly the one support.access gives.
  auto scope = scope_for_kind(product_it->second.kind);
  if (!scope) return holders;
  std::set<std::optional<std::string>> resources{product};
  for (const auto& [_, grant] : org->grants) {
    if (grant.scope == *scope && grant.resource && grant.resource->substr(0, grant.resource->find('/')) == product) {
      resources.insert(grant.resource);
    }
  }
  for (const auto& agent : agents_of(state, *org)) {
    auto because = support_reasons_for(state, org_id, agent, *scope, resources, at);
    if (!because.empty()) holders.emplace(agent, std::move(because));
  }
  return holders;
}

std::map<std::string, std::vector<Reason>> who_can(const StateView& state, const std::string& org_id, Action action,
                                                   const std::optional<std::string>& product, Micros at) {
  std::map<std::string, std::vector<Reason>> users;
  const Organization* org = state.organization(org_id);
  if (org == nullptr) return users;
  if (action == Action::support_access) {
    for (const auto& agent : agents_of(state, *org)) {
      std::vector<Reason> because;
      for (auto scope : {SupportScope::mail, SupportScope::kdrive, SupportScope::kchat}) {
        auto reasons = support_reasons(state, org_id, *org, agent, scope, at);
        because.insert(because.end(), reasons.begin(), reasons.end());
      }
      if (!because.empty()) users.emplace(agent, std::move(because));
    }
    return users;
  }
  if (action == Action::product_access && !product) return users;
  // Members and partner managers (C2), exactly as check() answers them (agents reach data through
  // support.access).
  std::set<std::string> candidates;
  for (const auto& [user, _] : org->members) candidates.insert(user);
  for (const auto& manager : partner_managers(*org)) candidates.insert(manager);
  for (const auto& user : candidates) {
    auto result = check(state, CheckRequest{org_id, user, action, product, std::nullopt, std::nullopt}, at);
    if (result.allowed) users.emplace(user, std::move(result.because));
  }
  return users;
}

std::vector<Capability> what_can(const StateView& state, const std::string& org_id, const std::string& user,
                                 Micros at) {
  std::vector<Capability> capabilities;
  const Organization* org = state.organization(org_id);
  if (org == nullptr) return capabilities;
  for (const auto& [product, _] : org->products) {
    auto reasons = product_access_reasons(*org, user, product);  // what check() answers for product.access
    auto through_partners = partner_reasons(*org, user, product);  // C2
    reasons.insert(reasons.end(), through_partners.begin(), through_partners.end());
    if (!reasons.empty())
      capabilities.push_back(Capability{Action::product_access, product, std::nullopt, std::move(reasons)});
  }
  for (auto action : kOrgActions) {
    auto result = check(state, CheckRequest{org_id, user, action, std::nullopt, std::nullopt, std::nullopt}, at);
    if (result.allowed)
      capabilities.push_back(Capability{action, std::nullopt, std::nullopt, std::move(result.because)});
  }
  for (auto scope : {SupportScope::mail, SupportScope::kdrive, SupportScope::kchat}) {
    auto reasons = support_reasons(state, org_id, *org, user, scope, at);
    if (!reasons.empty())
      capabilities.push_back(Capability{Action::support_access, std::nullopt, scope, std::move(reasons)});
  }
  return capabilities;
}

}  // namespace orgledger::projections
