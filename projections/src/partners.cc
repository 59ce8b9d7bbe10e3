#include "orgledger/projections/partners.h"

#include <algorithm>

namespace orgledger::projections {

const PartnerRelation* active_relation(const Organization& client, std::string_view partner) {
  for (const auto& relation : client.relations) {
    if (!relation.ended && relation.partner_org == partner) return &relation;
  }
  return nullptr;
}

PartnerRelation* active_relation(Organization& client, std::string_view partner) {
  for (auto& relation : client.relations) {
    if (!relation.ended && relation.partner_org == partner) return &relation;
  }
  return nullptr;
}

const PartnerRelation* latest_relation(const Organization& client, std::string_view partner) {
  for (auto it = client.relations.rbegin(); it != client.relations.rend(); ++it) {
    if (it->partner_org == partner) return &*it;
  }
  return nullptr;
}

std::vector<std::string> partner_managers(const Organization& client) {
  std::vector<std::string> out;
  for (const auto& relation : client.relations) {
    if (relation.ended) continue;
    for (const auto& [user, since] : relation.managers) out.push_back(user);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool relation_covers(const PartnerRelation& relation, const Organization& client, std::string_view product) {
  if (client.products.find(product) == client.products.end()) return false;
  return relation.full || relation.products.find(product) != relation.products.end();
}

}  // namespace orgledger::projections
