// What changed between two points of the log (`orgledger diff`): members, roles, billing,
// effective product access, teams, products and support grants, organization by organization.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "orgledger/projections/state.h"

namespace orgledger::replay {

struct Change {
  std::string org;
  std::string change;   // member_added, member_removed, role_changed, billing_changed, access_gained, access_lost,
                        // product_registered, product_removed, team_created, team_deleted, team_member_added,
                        // team_member_removed, team_product_granted, team_product_revoked, team_leader_changed,
                        // grant_created, grant_state_changed, organization_created, organization_removed
  std::string subject;  // the user, product, team or grant it is about
  std::string object;   // the product or user a team change names, else empty
  std::string before;   // the old value where there is one (role, state, leader), else empty
  std::string after;
};

// The changes from `before` (time rules at `before_at`) to `after` (at `after_at`), for `org`
// alone when given. By organization (ascending); within one: its creation or removal, members,
// roles and billing, access, products, teams, grants — each group by subject.
std::vector<Change> diff(const projections::State& before, projections::Micros before_at,
                         const projections::State& after, projections::Micros after_at,
                         const std::optional<std::string>& org);

// "acme: cleo's role collaborator → administrator"
std::string describe(const Change& change);

}  // namespace orgledger::replay
