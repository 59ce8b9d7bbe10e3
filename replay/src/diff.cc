#include "orgledger/replay/diff.h"

#include <set>

#include "orgledger/projections/access.h"
#include "orgledger/projections/partners.h"

namespace orgledger::replay {
namespace {

using projections::Organization;

struct Differ {
  const std::string& org;
  std::vector<Change>& out;
  void add(std::string change, std::string subject, std::string object = "", std::string before = "",
           std::string after = "") {
    out.push_back(
        Change{org, std::move(change), std::move(subject), std::move(object), std::move(before), std::move(after)});
  }

  // Keys in one map and not the other, each way.
  template <typename Map, typename Other>
  void keys(const Map& old_map, const Other& new_map, const char* added, const char* removed,
            const std::string& object = "", bool subject_is_object = false) {
    for (const auto& [key, _] : new_map) {
      if (!old_map.contains(key)) subject_is_object ? add(added, object, key) : add(added, key, object);
    }
    for (const auto& [key, _] : old_map) {
      if (!new_map.contains(key)) subject_is_object ? add(removed, object, key) : add(removed, key, object);
    }
  }

  void organizations(const Organization& was, projections::Micros was_at, const Organization& is,
                     projections::Micros is_at) {
    keys(was.members, is.members, "member_added", "member_removed");
    for (const auto& [user, member] : is.members) {
      auto old = was.members.find(user);
      if (old == was.members.end()) continue;
      if (old->second.role != member.role)
        add("role_changed", user, "", projections::to_string(old->second.role), projections::to_string(member.role));
      const bool billed = projections::billing_allowed(old->second), bills = projections::billing_allowed(member);
      if (billed != bills) add("billing_changed", user, "", billed ? "yes" : "no", bills ? "yes" : "no");
    }
    // Effective access (P2, T3, roles, and C2's partner managers): what a user could reach, however.
    std::set<std::string> users;
    for (const auto& [user, _] : was.members) users.insert(user);
    for (const auto& [user, _] : is.members) users.insert(user);
    for (const auto& manager : projections::partner_managers(was)) users.insert(manager);
    for (const auto& manager : projections::partner_managers(is)) users.insert(manager);
    auto reaches = [](const projections::Organization& org, const std::string& user, const std::string& product) {
      return !projections::product_access_reasons(org, user, product).empty() ||
             !projections::partner_reasons(org, user, product).empty();
    };
    std::set<std::string> products;
    for (const auto& [product, _] : was.products) products.insert(product);
    for (const auto& [product, _] : is.products) products.insert(product);
    for (const auto& user : users) {
      for (const auto& product : products) {
        const bool had = reaches(was, user, product);
        const bool has = reaches(is, user, product);
        if (had != has) add(has ? "access_gained" : "access_lost", user, product);
      }
    }
    keys(was.products, is.products, "product_registered", "product_removed");
    keys(was.teams, is.teams, "team_created", "team_deleted");
    static const projections::Team kNoTeam;
    for (const auto& [team_id, team] : is.teams) {
      auto old = was.teams.find(team_id);
      const auto& old_team = old == was.teams.end() ? kNoTeam : old->second;  // a new team: all it has is new
      keys(old_team.members, team.members, "team_member_added", "team_member_removed", team_id, true);
      keys(old_team.products, team.products, "team_product_granted", "team_product_revoked", team_id, true);
      if (old_team.leader != team.leader) {
        add("team_leader_changed", team_id, "", old_team.leader.value_or(""), team.leader.value_or(""));
      }
    }
    for (const auto& [grant_id, grant] : is.grants) {
      const auto state = projections::to_string(projections::grant_state(grant, is_at));
      auto old = was.grants.find(grant_id);
      if (old == was.grants.end()) {
        add("grant_created", grant_id, "", "", state);
        continue;
      }
      const auto old_state = projections::to_string(projections::grant_state(old->second, was_at));
      if (std::string(old_state) != state) add("grant_state_changed", grant_id, "", old_state, state);
    }
  }
};

}  // namespace

std::vector<Change> diff(const projections::State& before, projections::Micros before_at,
                         const projections::State& after, projections::Micros after_at,
                         const std::optional<std::string>& org) {
  std::set<std::string> ids;
  for (const auto& [id, _] : before.organizations) ids.insert(id);
  for (const auto& [id, _] : after.organizations) ids.insert(id);
  std::vector<Change> out;
  static const Organization kNone;
  for (const auto& id : ids) {
    if (org && id != *org) continue;
    auto was = before.organizations.find(id);
    auto is = after.organizations.find(id);
    Differ differ{id, out};
    if (was == before.organizations.end()) differ.add("organization_created", id);
    if (is == after.organizations.end()) differ.add("organization_removed", id);
    differ.organizations(was == before.organizations.end() ? kNone : was->second, before_at,
                         is == after.organizations.end() ? kNone : is->second, after_at);
  }
  return out;
}

std::string describe(const Change& c) {
  const std::string& what = c.change;
  std::string text = c.org + ": ";
  if (what == "organization_created") return text + "organization created";
  if (what == "organization_removed") return text + "organization gone";
  if (what == "member_added") return text + c.subject + " joined";
  if (what == "member_removed") return text + c.subject + " left or was removed";
  if (what == "role_changed") return text + c.subject + "'s role " + c.before + " → " + c.after;
  if (what == "billing_changed") return text + c.subject + "'s billing rights " + c.before + " → " + c.after;
  if (what == "access_gained") return text + c.subject + " can now access " + c.object;
  if (what == "access_lost") return text + c.subject + " can no longer access " + c.object;
  if (what == "team_created") return text + "team " + c.subject + " created";
  if (what == "team_deleted") return text + "team " + c.subject + " deleted";
  if (what == "product_registered") return text + "product " + c.subject + " registered";
  if (what == "product_removed") return text + "product " + c.subject + " gone";
  if (what == "team_member_added") return text + c.object + " joined team " + c.subject;
  if (what == "team_member_removed") return text + c.object + " left team " + c.subject;
  if (what == "team_product_granted") return text + "team " + c.subject + " was granted " + c.object;
  if (what == "team_product_revoked") return text + "team " + c.subject + " lost " + c.object;
  if (what == "team_leader_changed") {
    return text + "team " + c.subject + "'s leader " + (c.before.empty() ? "none" : c.before) + " → " +
           (c.after.empty() ? "none" : c.after);
  }
  if (what == "grant_created") return text + "support grant " + c.subject + " created (" + c.after + ")";
  if (what == "grant_state_changed") return text + "support grant " + c.subject + " " + c.before + " → " + c.after;
  return text + what + " " + c.subject;
}

}  // namespace orgledger::replay
