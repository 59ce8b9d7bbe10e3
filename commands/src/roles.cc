// R1–R9: members, roles, billing rights, contact preferences, the legal-representative handover.
#include "rules.h"

namespace orgledger::commands {
namespace {

std::vector<schema::ContactPref> to_schema(const std::vector<ContactPref>& prefs) {
  std::vector<schema::ContactPref> out;
  for (auto pref : prefs) out.push_back(static_cast<schema::ContactPref>(pref));
  return out;
}

// R2: only a legal representative assigns the legal_representative role.
std::optional<Rejection> may_assign(const Context& ctx, const projections::Organization& org, Role role) {
  if (role != Role::legal_representative) return std::nullopt;
  const auto* actor = ctx.actor_member(org);
  if (actor != nullptr && actor->role == Role::legal_representative) return std::nullopt;
  return reject(Code::forbidden, "R2", "only a legal representative assigns the legal_representative role");
}

// R4: only a legal representative changes the role of, or removes, a legal representative.
std::optional<Rejection> may_touch(const Context& ctx, const projections::Organization& org,
                                   const projections::Member& target) {
  if (target.role != Role::legal_representative) return std::nullopt;
  const auto* actor = ctx.actor_member(org);
  if (actor != nullptr && actor->role == Role::legal_representative) return std::nullopt;
  return reject(Code::forbidden, "R4", "only a legal representative changes or removes a legal representative");
}

// R3: never without a legal representative.
std::optional<Rejection> keeps_a_legal_representative(const projections::Organization& org,
                                                      const projections::Member& leaving, const std::string& user) {
  if (leaving.role == Role::legal_representative && legal_representatives(org) == 1) {
    return reject(Code::last_legal_representative, "R3", user + " is the organization's last legal representative");
  }
  return std::nullopt;
}

}  // namespace

RuleOutcome decide_add_member(const Context& ctx, const AddMember& c) {
  auto org = ctx.organization(c.org);
  if (!org) return std::unexpected(org.error());
  if (auto denied = ctx.require_administrator(**org, "R1")) return std::unexpected(*denied);
  if (auto denied = may_assign(ctx, **org, c.role)) return std::unexpected(*denied);
  // R7: a person without an account is invited, and the platform registers them first.
  if (ctx.state.user(c.user) == nullptr) return std::unexpected(reject(Code::not_found, "R7", "user " + c.user + " is not registered"));
  for (const auto& product : c.products) {
    if (!(*org)->products.contains(product)) return std::unexpected(reject(Code::not_found, "P2", "product " + product + " does not exist"));
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if ((*org)->members.contains(c.user)) return std::unexpected(reject(Code::already_exists, "R7", c.user + " is already a member"));
  schema::MemberAddedT added{.org = c.org, .user = c.user, .role = to_schema(c.role), .products = c.products,
                             .contact_prefs = to_schema(c.contact_prefs)};
  if (c.billing) added.billing = *c.billing;
  Events events;
  events.push_back(event(org_stream(c.org), std::move(added)));
  return events;
}

RuleOutcome decide_change_role(const Context& ctx, const ChangeMemberRole& c) {
  auto org = ctx.organization(c.org);
  if (!org) return std::unexpected(org.error());
  if (auto denied = ctx.require_administrator(**org, "R1")) return std::unexpected(*denied);
  if (auto denied = may_assign(ctx, **org, c.role)) return std::unexpected(*denied);
  auto target = ctx.member(**org, c.user, "R1");
  if (!target) return std::unexpected(target.error());
  if (auto denied = may_touch(ctx, **org, **target)) return std::unexpected(*denied);
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if ((*target)->role == c.role) {
    return std::unexpected(reject(Code::invalid_state, "R1", c.user + " already is " + projections::to_string(c.role)));
  }
  if (c.role != Role::legal_representative) {
    if (auto last = keeps_a_legal_representative(**org, **target, c.user)) return std::unexpected(*last);
  }
  Events events;
  events.push_back(event(org_stream(c.org), schema::MemberRoleChangedT{.org = c.org, .user = c.user, .role = to_schema(c.role)}));
  // R9: in the same batch as the change it announces.
  events.push_back(notification(c.org, c.user, "role_changed",
                                std::string("Your role in ") + (*org)->name + " is now " + projections::to_string(c.role)));
  if (c.role == Role::external) unassign_departing_manager(ctx, c.org, c.user, events);  // C2
  return events;
}

RuleOutcome decide_remove_member(const Context& ctx, const RemoveMember& c) {
  auto org = ctx.organization(c.org);
  if (!org) return std::unexpected(org.error());
  if (auto denied = ctx.require_administrator(**org, "R1")) return std::unexpected(*denied);
  auto target = ctx.member(**org, c.user, "R1");
  if (!target) return std::unexpected(target.error());
  if (auto denied = may_touch(ctx, **org, **target)) return std::unexpected(*denied);
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if (auto last = keeps_a_legal_representative(**org, **target, c.user)) return std::unexpected(*last);
  Events events;
  events.push_back(event(org_stream(c.org), schema::MemberRemovedT{.org = c.org, .user = c.user}));
  events.push_back(notification(c.org, c.user, "removed", "You were removed from " + (*org)->name));
  unassign_departing_manager(ctx, c.org, c.user, events);  // C2
  return events;
}

RuleOutcome decide_leave(const Context& ctx, const LeaveOrganization& c) {
  auto org = ctx.organization(c.org);
  if (!org) return std::unexpected(org.error());
  // R6: any member, by themselves.
  auto self = ctx.member(**org, ctx.actor(), "R6");
  if (!self) return std::unexpected(self.error());
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if (auto last = keeps_a_legal_representative(**org, **self, ctx.actor())) return std::unexpected(*last);
  Events events;
  events.push_back(event(org_stream(c.org), schema::OrganizationLeftT{.org = c.org, .user = ctx.actor()}));
  events.push_back(notification(c.org, ctx.actor(), "removed", "You left " + (*org)->name));
  unassign_departing_manager(ctx, c.org, ctx.actor(), events);  // C2
  return events;
}

RuleOutcome decide_billing(const Context& ctx, const SetBillingRights& c) {
  auto org = ctx.organization(c.org);
  if (!org) return std::unexpected(org.error());
  if (auto denied = ctx.require_administrator(**org, "R1")) return std::unexpected(*denied);
  auto target = ctx.member(**org, c.user, "R1");
  if (!target) return std::unexpected(target.error());
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  Events events;
  events.push_back(event(org_stream(c.org), schema::BillingRightsSetT{.org = c.org, .user = c.user, .billing = c.billing}));
  return events;
}

RuleOutcome decide_contact_prefs(const Context& ctx, const SetContactPreferences& c) {
  auto org = ctx.organization(c.org);
  if (!org) return std::unexpected(org.error());
  // R8: members change their own; administrators and legal representatives anyone's.
  if (c.user != ctx.actor() || ctx.actor_member(**org) == nullptr) {
    if (auto denied = ctx.require_administrator(**org, "R8")) return std::unexpected(*denied);
  }
  auto target = ctx.member(**org, c.user, "R8");
  if (!target) return std::unexpected(target.error());
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  Events events;
  events.push_back(event(org_stream(c.org), schema::ContactPreferencesSetT{.org = c.org, .user = c.user,
                                                                           .contact_prefs = to_schema(c.contact_prefs)}));
  return events;
}

RuleOutcome decide_handover(const Context& ctx, const HandoverLegalRepresentative& c) {
  auto org = ctx.organization(c.org);
  if (!org) return std::unexpected(org.error());
  const auto* actor = ctx.actor_member(**org);
  if (actor == nullptr || actor->role != Role::legal_representative) {
    return std::unexpected(reject(Code::forbidden, "R5", "only a legal representative hands the role over"));
  }
  auto from = ctx.member(**org, c.from, "R5");
  if (!from) return std::unexpected(from.error());
  auto to = ctx.member(**org, c.to, "R5");  // R5: `to` must already be a member
  if (!to) return std::unexpected(to.error());
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if ((*from)->role != Role::legal_representative) {
    return std::unexpected(reject(Code::invalid_state, "R5", c.from + " is not a legal representative"));
  }
  const bool removes = c.then == HandoverThen::remove;
  // R5: one event, so nothing half-done is ever visible; R9: both affected users are told.
  Events events;
  events.push_back(event(org_stream(c.org),
                         schema::LegalRepresentativeHandedOverT{.org = c.org, .from = c.from, .to = c.to,
                                                                .then = removes ? schema::HandoverThen::remove
                                                                                : schema::HandoverThen::administrator}));
  events.push_back(notification(c.org, c.to, "role_changed", "You are now legal representative of " + (*org)->name));
  events.push_back(notification(c.org, c.from, removes ? "removed" : "role_changed",
                                removes ? "You handed over " + (*org)->name + " and left it"
                                        : "You are now administrator of " + (*org)->name));
  if (removes) unassign_departing_manager(ctx, c.org, c.from, events);  // C2
  return events;
}

}  // namespace orgledger::commands
