// The data bench/compare hands the SQL peers, taken from what orgledger recorded and folded.
#include <nlohmann/json.hpp>

#include "bench_support.h"
#include "domain_random.h"
#include "orgledger/api/event_json.h"
#include "orgledger/projections/partners.h"
#include "peer.h"

namespace orgledger::bench {

// $1, $2 and $3 appear first in this order: SQLite numbers parameters by first appearance.
// C2: a partner manager of an active relation whose scope holds the product, or is full ('*').
const char* const kAccessQuery =
    "SELECT EXISTS (SELECT 1 FROM members m WHERE m.org = $1 AND m.user_id = $2"
    " AND EXISTS (SELECT 1 FROM products p WHERE p.org = $1 AND p.product = $3)"
    " AND (m.role IN ('legal_representative', 'administrator')"
    "  OR EXISTS (SELECT 1 FROM member_products g WHERE g.org = $1 AND g.user_id = $2 AND g.product = $3)"
    "  OR EXISTS (SELECT 1 FROM team_members tm JOIN team_products tp ON tp.org = tm.org AND tp.team = tm.team"
    "             WHERE tm.org = $1 AND tm.user_id = $2 AND tp.product = $3)))"
    " OR EXISTS (SELECT 1 FROM partner_managers pm JOIN partner_scope ps ON ps.org = pm.org AND ps.partner = pm.partner"
    "            WHERE pm.org = $1 AND pm.user_id = $2 AND (ps.product = $3 OR ps.product = '*')"
    "            AND EXISTS (SELECT 1 FROM products p WHERE p.org = $1 AND p.product = $3))";

std::vector<PeerCommand> peer_commands_from_log(const ledger::Ledger& ledger) {
  std::vector<PeerCommand> commands;
  read_all(ledger, 10'000, [&](const std::vector<ledger::RecordedEvent>& events) {
    for (const auto& event : events) {
      if (event.command_event_index() == 0) commands.emplace_back();
      auto json = api::event_to_json(event, api::PersonalView{.reporters = true});
      nlohmann::json metadata = {{"actor", event.actor()},
                                 {"command_id", event.command_id()},
                                 {"correlation_id", event.correlation_id()}};
      commands.back().events.push_back(PeerEvent{.stream = std::string(event.stream()),
                                                 .version = event.stream_version(),
                                                 .type = std::string(event.type_name()),
                                                 .payload = json["data"].dump(),
                                                 .metadata = metadata.dump()});
    }
  });
  return commands;
}

ReadModel read_model_of(const projections::State& state) {
  ReadModel model;
  for (const auto& [org_id, org] : state.organizations) {
    for (const auto& [user, member] : org.members) {
      model.members.push_back({org_id, user, projections::to_string(member.role)});
      for (const auto& [product, since] : member.products) model.member_products.push_back({org_id, user, product});
    }
    for (const auto& [product, unused] : org.products) model.products.push_back({org_id, product});
    for (const auto& [team_id, team] : org.teams) {
      for (const auto& [user, since] : team.members) model.team_members.push_back({org_id, team_id, user});
      for (const auto& [product, since] : team.products) model.team_products.push_back({org_id, team_id, product});
    }
    for (const auto& relation : org.relations) {
      if (relation.ended) continue;
      if (relation.full) model.partner_scope.push_back({org_id, relation.partner_org, "*"});
      for (const auto& product : relation.products) model.partner_scope.push_back({org_id, relation.partner_org, product});
      for (const auto& [user, since] : relation.managers) model.partner_managers.push_back({org_id, relation.partner_org, user});
    }
  }
  return model;
}

std::vector<AccessQuestion> access_questions(const projections::State& state, std::size_t count, std::uint64_t seed) {
  std::vector<const std::pair<const std::string, projections::Organization>*> orgs;
  for (const auto& entry : state.organizations) {
    if (!entry.second.products.empty() && !entry.second.members.empty()) orgs.push_back(&entry);
  }
  if (orgs.empty()) throw BenchFailure("no organization with members and products to ask about");
  Random random(seed);
  std::vector<AccessQuestion> questions;
  questions.reserve(count);
  while (questions.size() < count) {
    const auto& [org_id, org] = *orgs[random.below(orgs.size())];
    const std::string& product = random.pick(org.products).first;
    // One in ten asks about someone of another organization: a denial with no member row — or,
    // when the organization has partner managers, one of them (C2).
    const auto& [other_id, other] = *orgs[random.below(orgs.size())];
    const auto managers = projections::partner_managers(org);
    std::string user = random.chance(0.1) ? random.pick(other.members).first : random.pick(org.members).first;
    if (!managers.empty() && random.chance(0.3)) user = managers[random.below(managers.size())];
    questions.push_back({org_id, user, product});
  }
  return questions;
}

}  // namespace orgledger::bench
