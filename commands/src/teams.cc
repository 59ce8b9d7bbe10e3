// T1–T5: work teams.
#include "rules.h"

namespace orgledger::commands {
namespace {

// T1 (R1 rights), then T5: the organization, the actor's rights, the team.
std::expected<std::pair<const projections::Organization*, const projections::Team*>, Rejection> team_target(
    const Context& ctx, const std::string& org_id, const std::string& team_id) {
  auto org = ctx.organization(org_id);
  if (!org) return std::unexpected(org.error());
  if (auto denied = ctx.require_administrator(**org, "T1")) return std::unexpected(*denied);
  auto team = (*org)->teams.find(team_id);
  if (team == (*org)->teams.end()) return std::unexpected(reject(Code::not_found, "T5", "team " + team_id + " does not exist"));
  return std::pair{*org, &team->second};
}

}  // namespace

RuleOutcome decide_create_team(const Context& ctx, const CreateTeam& c) {
  auto org = ctx.organization(c.org);
  if (!org) return std::unexpected(org.error());
  if (auto denied = ctx.require_administrator(**org, "T1")) return std::unexpected(*denied);
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if ((*org)->teams.contains(c.team)) return std::unexpected(reject(Code::already_exists, "T5", "team " + c.team + " exists"));
  Events events;
  events.push_back(event(org_stream(c.org), schema::TeamCreatedT{.org = c.org, .team = c.team, .name = c.name}));
  return events;
}

RuleOutcome decide_delete_team(const Context& ctx, const DeleteTeam& c) {
  auto target = team_target(ctx, c.org, c.team);
  if (!target) return std::unexpected(target.error());
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  Events events;
  events.push_back(event(org_stream(c.org), schema::TeamDeletedT{.org = c.org, .team = c.team}));
  return events;
}

RuleOutcome decide_add_team_members(const Context& ctx, const AddTeamMembers& c) {
  auto target = team_target(ctx, c.org, c.team);
  if (!target) return std::unexpected(target.error());
  // T2: registered users; those who are not members yet become external members.
  for (const auto& user : c.users) {
    if (ctx.state.user(user) == nullptr) return std::unexpected(reject(Code::not_found, "T2", "user " + user + " is not registered"));
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  std::set<std::string> seen;
  for (const auto& user : c.users) {
    if (target->second->members.contains(user) || !seen.insert(user).second) {
      return std::unexpected(reject(Code::already_exists, "T2", user + " is already in team " + c.team));
    }
  }
  Events events;
  events.push_back(event(org_stream(c.org), schema::TeamMembersAddedT{.org = c.org, .team = c.team, .users = c.users}));
  return events;
}

RuleOutcome decide_remove_team_members(const Context& ctx, const RemoveTeamMembers& c) {
  auto target = team_target(ctx, c.org, c.team);
  if (!target) return std::unexpected(target.error());
  for (const auto& user : c.users) {
    if (!target->second->members.contains(user)) {
      return std::unexpected(reject(Code::not_found, "T4", user + " is not in team " + c.team));
    }
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  Events events;
  events.push_back(event(org_stream(c.org), schema::TeamMembersRemovedT{.org = c.org, .team = c.team, .users = c.users}));
  return events;
}

RuleOutcome decide_grant_team_product(const Context& ctx, const GrantTeamProductAccess& c) {
  auto target = team_target(ctx, c.org, c.team);
  if (!target) return std::unexpected(target.error());
  if (!target->first->products.contains(c.product)) {
    return std::unexpected(reject(Code::not_found, "T5", "product " + c.product + " does not exist"));
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if (target->second->products.contains(c.product)) {
    return std::unexpected(reject(Code::already_exists, "T3", "team " + c.team + " already has " + c.product));
  }
  Events events;
  events.push_back(event(org_stream(c.org), schema::TeamProductAccessGrantedT{.org = c.org, .team = c.team, .product = c.product}));
  return events;
}

RuleOutcome decide_revoke_team_product(const Context& ctx, const RevokeTeamProductAccess& c) {
  auto target = team_target(ctx, c.org, c.team);
  if (!target) return std::unexpected(target.error());
  if (!target->first->products.contains(c.product)) {
    return std::unexpected(reject(Code::not_found, "T5", "product " + c.product + " does not exist"));
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if (!target->second->products.contains(c.product)) {
    return std::unexpected(reject(Code::not_found, "T3", "team " + c.team + " has no access to " + c.product));
  }
  Events events;
  events.push_back(event(org_stream(c.org), schema::TeamProductAccessRevokedT{.org = c.org, .team = c.team, .product = c.product}));
  return events;
}

RuleOutcome decide_team_leader(const Context& ctx, const SetTeamLeader& c) {
  auto target = team_target(ctx, c.org, c.team);
  if (!target) return std::unexpected(target.error());
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  // T4: the leader must be a team member.
  if (!target->second->members.contains(c.user)) {
    return std::unexpected(reject(Code::invalid_state, "T4", c.user + " is not a member of team " + c.team));
  }
  Events events;
  events.push_back(event(org_stream(c.org), schema::TeamLeaderSetT{.org = c.org, .team = c.team, .user = c.user}));
  return events;
}

}  // namespace orgledger::commands
