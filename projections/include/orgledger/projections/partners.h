// C1–C3: partner relations as the rules and the checks read them. A relation lives in its client
// organization; a manager's access is decided there alone (a manager who leaves the partner is
// unassigned in the client's stream in the same batch, C2), so a client's history says it all.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "orgledger/projections/state.h"

namespace orgledger::projections {

// The active relation of `partner` with `client`, or null.
const PartnerRelation* active_relation(const Organization& client, std::string_view partner);
PartnerRelation* active_relation(Organization& client, std::string_view partner);
// The latest relation of the pair, active or ended; null when there never was one.
const PartnerRelation* latest_relation(const Organization& client, std::string_view partner);

// C2: every user assigned to an active relation of `client`, sorted, once each.
std::vector<std::string> partner_managers(const Organization& client);

// C1: whether the relation's scope covers `product` (full: every product of the client).
bool relation_covers(const PartnerRelation& relation, const Organization& client, std::string_view product);

}  // namespace orgledger::projections
