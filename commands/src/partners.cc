// C1–C4: partners and clients. Every relation event goes to the client's stream (the relation is
// the client's authorization); the programmes' events to the organization's own.
#include "orgledger/projections/partners.h"
#include "rules.h"

namespace orgledger::commands {
namespace {

struct Pair {
  const projections::Organization* client;
  const projections::Organization* partner;
};

// DOMAIN.md: the client first (as its own organization), then the partner, both before forbidden.
std::expected<Pair, Rejection> pair_of(const Context& ctx, const std::string& partner_org, const std::string& client_org) {
  auto client = ctx.organization(client_org);
  if (!client) return std::unexpected(client.error());
  auto partner = ctx.organization(partner_org);
  if (!partner) return std::unexpected(partner.error());
  return Pair{*client, *partner};
}

bool administers(const Context& ctx, const projections::Organization& org) {
  return !ctx.require_administrator(org, "").has_value();
}

// C2–C3: the relation of the pair, active (not_found when there never was one, not_active when it
// ended).
std::expected<const projections::PartnerRelation*, Rejection> active(const Pair& pair, const std::string& partner_org,
                                                                      const char* rule) {
  if (const auto* relation = projections::active_relation(*pair.client, partner_org)) return relation;
  if (projections::latest_relation(*pair.client, partner_org) != nullptr) {
    return std::unexpected(reject(Code::not_active, rule, "the relation with " + partner_org + " has ended"));
  }
  return std::unexpected(reject(Code::not_found, rule, "there is no relation with " + partner_org));
}

NewEvent unassigned(const std::string& partner_org, const std::string& client_org, const std::string& user,
                    std::string reason) {
  return event(org_stream(client_org), schema::PartnerManagerUnassignedT{.partner_org = partner_org, .client_org = client_org,
                                                                         .user = user, .reason = std::move(reason)});
}

NewEvent ended(const std::string& partner_org, const std::string& client_org) {
  return event(org_stream(client_org), schema::PartnerRelationEndedT{.partner_org = partner_org, .client_org = client_org});
}

// C4: the back office (svc:*) decides the programmes.
std::expected<const projections::Organization*, Rejection> programme_org(const Context& ctx, const std::string& id) {
  auto org = ctx.organization(id);
  if (!org) return std::unexpected(org.error());
  if (!ctx.actor_is_service()) return std::unexpected(reject(Code::forbidden, "C4", "only a service runs the programmes"));
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  return *org;
}

}  // namespace

RuleOutcome decide_establish_partner(const Context& ctx, const EstablishPartnerRelation& c) {
  auto pair = pair_of(ctx, c.partner_org, c.client_org);
  if (!pair) return std::unexpected(pair.error());
  if (!administers(ctx, *pair->client)) {
    return std::unexpected(reject(Code::forbidden, "C1", "only an administrator or legal representative of the client"));
  }
  for (const auto& product : c.scope.products) {
    if (!pair->client->products.contains(product)) {
      return std::unexpected(reject(Code::not_found, "C1", "product " + product + " is not the client's"));
    }
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if (!pair->partner->partner_program) {
    return std::unexpected(reject(Code::invalid_state, "C4", c.partner_org + " is not in the partner programme"));
  }
  if (projections::active_relation(*pair->client, c.partner_org) != nullptr) {
    return std::unexpected(reject(Code::already_exists, "C1", "the relation with " + c.partner_org + " is active"));
  }
  schema::PartnerRelationEstablishedT established;
  established.partner_org = c.partner_org;
  established.client_org = c.client_org;
  established.full = c.scope.full;
  if (!c.scope.full) established.products = c.scope.products;
  established.billing = c.billing;
  Events events;
  events.push_back(event(org_stream(c.client_org), std::move(established)));
  return events;
}

// C2: the partner's administrators choose its managers among its non-external members.
template <typename Command>
std::expected<std::pair<Pair, const projections::PartnerRelation*>, Rejection> manager_target(const Context& ctx,
                                                                                              const Command& c) {
  auto pair = pair_of(ctx, c.partner_org, c.client_org);
  if (!pair) return std::unexpected(pair.error());
  if (!administers(ctx, *pair->partner)) {
    return std::unexpected(reject(Code::forbidden, "C2", "only an administrator or legal representative of the partner"));
  }
  auto member = pair->partner->members.find(c.user);
  if (member == pair->partner->members.end() || member->second.role == Role::external) {
    return std::unexpected(reject(Code::not_found, "C2", c.user + " is not a non-external member of " + c.partner_org));
  }
  auto relation = active(*pair, c.partner_org, "C2");
  if (!relation) return std::unexpected(relation.error());
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  return std::pair{*pair, *relation};
}

RuleOutcome decide_assign_manager(const Context& ctx, const AssignPartnerManager& c) {
  auto target = manager_target(ctx, c);
  if (!target) return std::unexpected(target.error());
  if (target->second->managers.contains(c.user)) {
    return std::unexpected(reject(Code::already_exists, "C2", c.user + " already manages " + c.client_org));
  }
  Events events;
  events.push_back(event(org_stream(c.client_org), schema::PartnerManagerAssignedT{.partner_org = c.partner_org,
                                                                                   .client_org = c.client_org, .user = c.user}));
  return events;
}

RuleOutcome decide_unassign_manager(const Context& ctx, const UnassignPartnerManager& c) {
  auto target = manager_target(ctx, c);
  if (!target) return std::unexpected(target.error());
  if (!target->second->managers.contains(c.user)) {
    return std::unexpected(reject(Code::not_found, "C2", c.user + " does not manage " + c.client_org));
  }
  Events events;
  events.push_back(unassigned(c.partner_org, c.client_org, c.user, ""));
  return events;
}

RuleOutcome decide_end_partner(const Context& ctx, const EndPartnerRelation& c) {
  auto pair = pair_of(ctx, c.partner_org, c.client_org);
  if (!pair) return std::unexpected(pair.error());
  if (!administers(ctx, *pair->client) && !administers(ctx, *pair->partner)) {
    return std::unexpected(reject(Code::forbidden, "C3", "only an administrator or legal representative of either side"));
  }
  if (projections::latest_relation(*pair->client, c.partner_org) == nullptr) {
    return std::unexpected(reject(Code::not_found, "C3", "there is no relation with " + c.partner_org));
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if (projections::active_relation(*pair->client, c.partner_org) == nullptr) {
    return std::unexpected(reject(Code::not_active, "C3", "the relation with " + c.partner_org + " has ended"));
  }
  Events events;
  events.push_back(ended(c.partner_org, c.client_org));
  return events;
}

RuleOutcome decide_join_partner_program(const Context& ctx, const JoinPartnerProgram& c) {
  auto org = programme_org(ctx, c.org);
  if (!org) return std::unexpected(org.error());
  if ((*org)->affiliate_program) return std::unexpected(reject(Code::conflict, "C4", c.org + " is an affiliate"));
  if ((*org)->partner_program) return std::unexpected(reject(Code::already_exists, "C4", c.org + " is a partner already"));
  Events events;
  events.push_back(event(org_stream(c.org), schema::PartnerProgramJoinedT{.org = c.org}));
  return events;
}

RuleOutcome decide_join_affiliate_program(const Context& ctx, const JoinAffiliateProgram& c) {
  auto org = programme_org(ctx, c.org);
  if (!org) return std::unexpected(org.error());
  if ((*org)->partner_program) return std::unexpected(reject(Code::conflict, "C4", c.org + " is a partner"));
  if ((*org)->affiliate_program) return std::unexpected(reject(Code::already_exists, "C4", c.org + " is an affiliate already"));
  Events events;
  events.push_back(event(org_stream(c.org), schema::AffiliateProgramJoinedT{.org = c.org}));
  return events;
}

RuleOutcome decide_leave_partner_program(const Context& ctx, const LeavePartnerProgram& c) {
  auto org = programme_org(ctx, c.org);
  if (!org) return std::unexpected(org.error());
  if (!(*org)->partner_program) return std::unexpected(reject(Code::not_active, "C4", c.org + " is not a partner"));
  Events events;
  events.push_back(event(org_stream(c.org), schema::PartnerProgramLeftT{.org = c.org}));
  // C4: every relation in which it is the partner ends in the same batch.
  const auto* clients = ctx.state.partner_clients(c.org);
  for (const auto& client_id : clients ? *clients : projections::SortedIdSet{}) {
    const auto* client = ctx.state.organization(client_id);
    if (client != nullptr && projections::active_relation(*client, c.org) != nullptr) events.push_back(ended(c.org, client_id));
  }
  return events;
}

RuleOutcome decide_leave_affiliate_program(const Context& ctx, const LeaveAffiliateProgram& c) {
  auto org = programme_org(ctx, c.org);
  if (!org) return std::unexpected(org.error());
  if (!(*org)->affiliate_program) return std::unexpected(reject(Code::not_active, "C4", c.org + " is not an affiliate"));
  Events events;
  events.push_back(event(org_stream(c.org), schema::AffiliateProgramLeftT{.org = c.org}));
  return events;
}

void unassign_departing_manager(const Context& ctx, const std::string& org_id, const std::string& user, Events& events) {
  const auto* clients = ctx.state.partner_clients(org_id);
  if (clients == nullptr) return;
  for (const auto& client_id : *clients) {
    const auto* client = ctx.state.organization(client_id);
    if (client == nullptr) continue;
    const auto* relation = projections::active_relation(*client, org_id);
    if (relation != nullptr && relation->managers.contains(user)) {
      events.push_back(unassigned(org_id, client_id, user, "left_partner"));
    }
  }
}

}  // namespace orgledger::commands
