// S1–S5: support access granted by the customer to the support desk's agents.
#include <algorithm>

#include "orgledger/projections/access.h"
#include "rules.h"

namespace orgledger::commands {
namespace {

bool at_least_administrator(const projections::Member* member) {
  return member != nullptr && (member->role == Role::legal_representative || member->role == Role::administrator);
}

}  // namespace

RuleOutcome decide_grant_support(const Context& ctx, const GrantSupportAccess& c) {
  auto org = ctx.organization(c.org);
  if (!org) return std::unexpected(org.error());
  const auto* actor = ctx.actor_member(**org);
  if (actor == nullptr) return std::unexpected(reject(Code::forbidden, "S1", ctx.actor() + " is not a member of the organization"));
  const auto kind = projections::product_kind_of(c.scope);
  if (c.resource) {
    // S1: a resource is a product of the scope's kind, optionally narrowed inside it.
    const std::string product = c.resource->substr(0, c.resource->find('/'));
    auto found = (*org)->products.find(product);
    if (found == (*org)->products.end() || found->second.kind != kind) {
      // Only members who could see it learn whether it exists: forbidden first for the others.
      if (!at_least_administrator(actor) && !actor->products.contains(product)) {
        return std::unexpected(reject(Code::forbidden, "S1", ctx.actor() + " cannot access " + product));
      }
      return std::unexpected(reject(Code::not_found, "S1", "no " + std::string(kind) + " product " + product));
    }
    if (projections::product_access_reasons(**org, ctx.actor(), product).empty()) {
      return std::unexpected(reject(Code::forbidden, "S1", ctx.actor() + " cannot access " + product));
    }
  } else {
    // The whole scope: the actor must reach at least one product of its kind (or administer all).
    bool reaches = at_least_administrator(actor);
    for (const auto& [id, product] : (*org)->products) {
      if (!reaches && product.kind == kind) reaches = !projections::product_access_reasons(**org, ctx.actor(), id).empty();
    }
    if (!reaches) {
      return std::unexpected(reject(Code::forbidden, "S1", ctx.actor() + " cannot access any " + std::string(kind) + " product"));
    }
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if ((*org)->grants.contains(c.grant)) return std::unexpected(reject(Code::already_exists, "S1", "grant " + c.grant + " exists"));
  Events events;
  events.push_back(event(org_stream(c.org),
                         schema::SupportAccessGrantedT{.org = c.org, .grant = c.grant,
                                                       .scope = static_cast<schema::SupportScope>(c.scope),
                                                       .resource = c.resource.value_or(""), .ticket = c.ticket}));
  return events;
}

RuleOutcome decide_revoke_support(const Context& ctx, const RevokeSupportAccess& c) {
  auto org = ctx.organization(c.org);
  if (!org) return std::unexpected(org.error());
  const auto* actor = ctx.actor_member(**org);
  if (actor == nullptr) return std::unexpected(reject(Code::forbidden, "S3", ctx.actor() + " is not a member of the organization"));
  auto grant = (*org)->grants.find(c.grant);
  if (grant == (*org)->grants.end()) return std::unexpected(reject(Code::not_found, "S3", "grant " + c.grant + " does not exist"));
  // S3: the granting user, an administrator or a legal representative.
  if (grant->second.granted_by != ctx.actor() && !at_least_administrator(actor)) {
    return std::unexpected(reject(Code::forbidden, "S3", "only the granting user or an administrator revokes a grant"));
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if (!projections::grant_active(grant->second, ctx.now)) {
    return std::unexpected(reject(Code::not_active, "S3", "grant " + c.grant + " is already revoked or expired"));
  }
  Events events;
  events.push_back(event(org_stream(c.org), schema::SupportAccessRevokedT{.org = c.org, .grant = c.grant}));
  return events;
}

RuleOutcome decide_assign_ticket(const Context& ctx, const AssignSupportTicket& c) {
  // S4: the support desk (a service) or an agent.
  if (!ctx.actor_is_service() && !ctx.actor_is_agent()) {
    return std::unexpected(reject(Code::forbidden, "S4", "only a service or an agent assigns tickets"));
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  Events events;
  events.push_back(event("ticket:" + c.ticket, schema::SupportTicketAssignedT{.ticket = c.ticket, .agent = c.agent}));
  return events;
}

RuleOutcome decide_record_support(const Context& ctx, const RecordSupportAccess& c) {
  auto org = ctx.organization(c.org);
  if (!org) return std::unexpected(org.error());
  if (!ctx.actor_is_agent()) return std::unexpected(reject(Code::forbidden, "S5", "only an agent records a support access"));
  auto grant = (*org)->grants.find(c.grant);
  if (grant == (*org)->grants.end()) return std::unexpected(reject(Code::not_found, "S5", "grant " + c.grant + " does not exist"));
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  // S5: allowed only when S4's check allows it, through this grant.
  const auto result = projections::check(
      ctx.state, projections::CheckRequest{c.org, ctx.actor(), projections::Action::support_access, {}, grant->second.scope, c.resource},
      ctx.now);
  const bool through_this_grant = std::ranges::any_of(result.because, [&](const auto& reason) { return reason.grant == c.grant; });
  if (!through_this_grant) {
    return std::unexpected(reject(Code::forbidden, "S5", result.missing.empty() ? "grant " + c.grant + " does not cover it" : result.missing.front()));
  }
  Events events;
  events.push_back(event(org_stream(c.org), schema::SupportAccessRecordedT{.org = c.org, .grant = c.grant, .resource = c.resource}));
  return events;
}

}  // namespace orgledger::commands
