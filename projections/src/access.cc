#include "orgledger/projections/access.h"

#include "orgledger/projections/partners.h"


namespace orgledger::projections {
namespace {

struct ActionName {
  Action action;
  std::string_view name;
};

constexpr ActionName kActionNames[] = {
    {Action::product_access, "product.access"},
    {Action::org_billing, "org.billing"},
    {Action::org_manage_members, "org.manage_members"},
    {Action::org_manage_teams, "org.manage_teams"},
    {Action::org_assign_legal_representative, "org.assign_legal_representative"},
    {Action::org_edit_details, "org.edit_details"},
    {Action::org_wide_share, "org.wide_share"},
    {Action::support_access, "support.access"},
};

bool at_least_administrator(Role role) { return role == Role::legal_representative || role == Role::administrator; }

Reason role_reason(Role role, Position since) { return Reason{Reason::Kind::role, role, {}, {}, since}; }

std::optional<Reason> billing_reason(const Member& member) {
  if (member.role == Role::legal_representative) return role_reason(member.role, member.role_since);
  if (!billing_allowed(member)) return std::nullopt;
  return role_reason(member.role, member.billing ? std::max(member.billing_since, member.role_since) : member.role_since);
}

// S1: a grant's resource covers the asked one when equal, or when it is its product or folder.
bool resource_covered(const std::optional<std::string>& granted, const std::optional<std::string>& asked) {
  if (!granted) return true;
  if (!asked) return false;
  return *asked == *granted || (asked->starts_with(*granted) && (*asked)[granted->size()] == '/');
}

std::string product_of_resource(const std::string& resource) { return resource.substr(0, resource.find('/')); }

CheckResult support_check(const StateView& state, const Organization& org, const CheckRequest& request, Micros at) {
  CheckResult result;
  if (!request.scope) {
    result.missing.push_back("support.access needs a scope");
    return result;
  }
  bool any_grant = false, any_active = false, any_covering = false;
  for (const auto& [id, grant] : org.grants) {
    if (grant.scope != *request.scope) continue;
    any_grant = true;
    if (!grant_active(grant, at)) continue;
    any_active = true;
    if (!resource_covered(grant.resource, request.resource)) continue;
    // A grant without resource reaches what its granter can access (S1).
    if (!grant.resource && request.resource) {
      const auto product = product_of_resource(*request.resource);
      auto it = org.products.find(product);
      if (it == org.products.end() || it->second.kind != product_kind_of(grant.scope) ||
          product_access_reasons(org, grant.granted_by, product).empty()) {
        continue;
      }
    }
    any_covering = true;
    // S4: only the agent assigned to the grant's ticket.
    const auto* ticket = state.ticket(grant.ticket);
    if (ticket == nullptr || ticket->agent != request.user) continue;
    result.because.push_back(Reason{Reason::Kind::support_grant, std::nullopt, {}, id, grant.position});
  }
  result.allowed = !result.because.empty();
  if (!result.allowed) {
    if (!any_grant) result.missing.push_back(std::string("a support grant for scope ") + to_string(*request.scope));
    else if (!any_active) result.missing.push_back("an active support grant (S2: grants expire after 7 days; S3: revoked)");
    else if (!any_covering) result.missing.push_back("a support grant covering the resource");
    else result.missing.push_back("the grant's ticket assigned to " + request.user + " (S4)");
  }
  return result;
}

}  // namespace

std::optional<Action> parse_action(std::string_view text) {
  for (const auto& entry : kActionNames) {
    if (entry.name == text) return entry.action;
  }
  return std::nullopt;
}

const char* to_string(Action action) {
  for (const auto& entry : kActionNames) {
    if (entry.action == action) return entry.name.data();
  }
  return "";
}

const char* to_string(Reason::Kind kind) {
  switch (kind) {
    case Reason::Kind::role: return "role";
    case Reason::Kind::team: return "team";
    case Reason::Kind::direct_grant: return "direct_grant";
    case Reason::Kind::support_grant: return "support_grant";
    case Reason::Kind::partner: return "partner";
  }
  return "";
}

bool billing_allowed(const Member& member) {
  return member.role == Role::legal_representative || member.billing.value_or(member.role == Role::administrator);
}

const char* to_string(GrantState state) {
  switch (state) {
    case GrantState::active: return "active";
    case GrantState::revoked: return "revoked";
    case GrantState::expired: return "expired";
  }
  return "";
}

GrantState grant_state(const SupportGrant& grant, Micros at) {
  // Whichever came first wins: a grant revoked after its expiry was never revocable (S3).
  if (grant.revoked_at && at >= *grant.revoked_at && *grant.revoked_at < expires_at(grant)) return GrantState::revoked;
  if (at >= expires_at(grant)) return GrantState::expired;
  return GrantState::active;
}

bool grant_active(const SupportGrant& grant, Micros at) {
  if (at < grant.recorded_at) return false;
  if (at >= grant.recorded_at + kSupportGrantLifetime) return false;  // S2: at expires_at, nothing
  if (grant.revoked_at && at >= *grant.revoked_at) return false;      // S3
  return true;
}

std::vector<Reason> product_access_reasons(const Organization& org, const std::string& user, const std::string& product) {
  std::vector<Reason> reasons;
  auto member = org.members.find(user);
  if (member == org.members.end() || !org.products.contains(product)) return reasons;
  if (at_least_administrator(member->second.role)) {
    // Roles table: legal representatives and administrators have all the organization's products.
    reasons.push_back(role_reason(member->second.role, member->second.role_since));
  }
  if (auto direct = member->second.products.find(product); direct != member->second.products.end()) {
    reasons.push_back(Reason{Reason::Kind::direct_grant, std::nullopt, {}, {}, direct->second});
  }
  // T3: the union of the user's own grants and those of all their teams.
  for (const auto& [id, team] : org.teams) {
    auto in_team = team.members.find(user);
    auto grants = team.products.find(product);
    if (in_team == team.members.end() || grants == team.products.end()) continue;
    reasons.push_back(Reason{Reason::Kind::team, std::nullopt, id, {}, std::max(in_team->second, grants->second)});
  }
  return reasons;
}

bool has_product_access(const Organization& org, std::string_view user, std::string_view product) {
  auto member = org.members.find(user);
  if (member == org.members.end() || org.products.find(product) == org.products.end()) return false;
  if (at_least_administrator(member->second.role)) return true;
  if (member->second.products.find(product) != member->second.products.end()) return true;
  for (const auto& [id, team] : org.teams) {
    if (team.members.find(user) != team.members.end() && team.products.find(product) != team.products.end()) return true;
  }
  return false;
}

std::vector<Reason> partner_reasons(const Organization& client, std::string_view user,
                                    const std::optional<std::string>& product) {
  std::vector<Reason> reasons;
  for (const auto& relation : client.relations) {
    if (relation.ended) continue;
    auto manager = relation.managers.find(user);
    if (manager == relation.managers.end()) continue;
    const bool covers = product ? relation_covers(relation, client, *product) : relation.billing;
    if (!covers) continue;
    Reason reason{Reason::Kind::partner, std::nullopt, {}, {}, std::max(relation.established, manager->second), {}};
    reason.partner_org = relation.partner_org;
    reasons.push_back(std::move(reason));
  }
  return reasons;
}

bool allows(const StateView& state, const CheckRequest& request, Micros at) {
  if (request.action != Action::product_access || !request.product) return check(state, request, at).allowed;
  const Organization* org = state.organization(request.org);
  if (org == nullptr) return false;
  if (has_product_access(*org, request.user, *request.product)) return true;
  return !org->relations.empty() && !partner_reasons(*org, request.user, request.product).empty();
}

CheckResult check(const StateView& state, const CheckRequest& request, Micros at) {
  CheckResult result;
  const Organization* found = state.organization(request.org);
  if (found == nullptr) {
    result.missing.push_back("organization " + request.org + " does not exist");
    return result;
  }
  const Organization& org = *found;
  if (request.action == Action::support_access) return support_check(state, org, request, at);

  // C2: a partner manager is not a member of the client: product.access in the relation's scope,
  // org.billing with its billing, nothing else.
  const bool partner_action = request.action == Action::product_access || request.action == Action::org_billing;
  std::vector<Reason> through_partners;
  if (partner_action && !org.relations.empty() && (request.action == Action::org_billing || request.product)) {
    through_partners = partner_reasons(org, request.user,
                                       request.action == Action::product_access ? request.product : std::nullopt);
  }
  auto member_it = org.members.find(request.user);
  if (member_it == org.members.end()) {
    result.because = std::move(through_partners);
    result.allowed = !result.because.empty();
    if (!result.allowed) result.missing.push_back(request.user + " is not a member of " + request.org);
    return result;
  }
  const Member& member = member_it->second;
  auto require_role = [&](auto allowed_role, const char* needed) {
    if (allowed_role(member.role)) {
      result.because.push_back(role_reason(member.role, member.role_since));
    } else {
      result.missing.push_back(std::string("role ") + needed + " (is " + to_string(member.role) + ")");
    }
  };
  switch (request.action) {
    case Action::product_access:
      if (!request.product) {
        result.missing.push_back("product.access needs a product");
      } else if (!org.products.contains(*request.product)) {
        result.missing.push_back("product " + *request.product + " does not exist in " + request.org);
      } else {
        result.because = product_access_reasons(org, request.user, *request.product);
        if (result.because.empty()) {
          result.missing.push_back("access to " + *request.product + ": an administrator role, a direct grant (P2) or a team's grant (T3)");
        }
      }
      break;
    case Action::org_billing:
      if (auto reason = billing_reason(member)) result.because.push_back(*reason);
      else result.missing.push_back("billing rights (the billing flag)");
      break;
    case Action::org_manage_members:
    case Action::org_manage_teams:
      require_role(at_least_administrator, "administrator or legal_representative");
      break;
    case Action::org_assign_legal_representative:
    case Action::org_edit_details:
      require_role([](Role r) { return r == Role::legal_representative; }, "legal_representative");
      break;
    case Action::org_wide_share:
      require_role([](Role r) { return r != Role::external; }, "a member other than external");
      break;
    case Action::support_access: break;  // handled above
  }
  if (!through_partners.empty()) {
    result.because.insert(result.because.end(), through_partners.begin(), through_partners.end());
    result.missing.clear();
  }
  result.allowed = !result.because.empty();
  return result;
}

}  // namespace orgledger::projections
