// GET /v1/orgs/{org}, …/members, …/teams, …/support-grants (API.md).
#include <nlohmann/json.hpp>

#include "orgledger/projections/access.h"
#include "query_state.h"
#include "router.h"

namespace orgledger::api {
namespace {

HttpResponse org_not_found(const std::string& org) {
  return problem_response(404, "not_found", "organization " + org + " does not exist");
}

// Answers with `render(org)` for the organization of the path, or not_found.
template <typename Render>
void answer_org(Call& call, Reply& reply, Render&& render) {
  const std::string& org_id = call.path_params.at(0);
  reply(with_org_state(call, org_id, [&](const projections::State& state, ledger::Position as_of, ledger::Micros at) {
    auto org = state.organizations.find(org_id);
    if (org == state.organizations.end()) return org_not_found(org_id);
    return json_response(200, render(org_id, org->second, as_of, at));
  }));
}

Json teams_of(const projections::Organization& org) {
  Json teams = Json::array();
  for (const auto& [team_id, team] : org.teams) {
    Json item;
    item["team"] = team_id;
    item["name"] = team.name;
    Json members = Json::array();
    for (const auto& [user, _] : team.members) members.push_back(user);
    item["members"] = std::move(members);
    item["leader"] = team.leader ? Json(*team.leader) : Json(nullptr);
    Json products = Json::array();
    for (const auto& [product, _] : team.products) products.push_back(product);
    item["products"] = std::move(products);
    item["since_position"] = team.since;
    teams.push_back(std::move(item));
  }
  return teams;
}

}  // namespace

void get_org(Call& call, Reply reply) {
  answer_org(call, reply,
             [](const std::string& id, const projections::Organization& org, ledger::Position as_of, ledger::Micros) {
               Json out = members_json(id, org, as_of);
               Json details;
               details["org"] = id;
               details["name"] = org.name;
               details["created_position"] = org.created;
               details["as_of_position"] = as_of;
               details["members"] = std::move(out["members"]);
               Json billing = Json::array();
               for (const auto& [user, member] : org.members) {
                 if (projections::billing_allowed(member)) billing.push_back(user);
               }
               details["billing"] = std::move(billing);
               Json products = Json::array();
               for (const auto& [product_id, product] : org.products) {
                 products.push_back(
                     {{"product", product_id},
                      {"kind", product.kind},
                      {"name", product.name},
                      {"expires_at", product.expires_at ? Json(format_instant(*product.expires_at)) : Json(nullptr)},
                      {"since_position", product.since}});
               }
               details["products"] = std::move(products);
               details["teams"] = teams_of(org);
               return details;
             });
}

void get_members(Call& call, Reply reply) {
  answer_org(call, reply,
             [](const std::string& id, const projections::Organization& org, ledger::Position as_of, ledger::Micros) {
               return members_json(id, org, as_of);
             });
}

// C5: the relations of both sides, so the whole state (as of a past point: whole_state).
void get_partners(Call& call, Reply reply) {
  const std::string& org_id = call.path_params.at(0);
  reply(with_state(call, [&](const projections::State& state, ledger::Position as_of, ledger::Micros) {
    if (!state.organizations.contains(org_id)) return org_not_found(org_id);
    return json_response(200, partners_json(org_id, state, as_of));
  }));
}

void get_renewals(Call& call, Reply reply) {
  answer_org(call, reply,
             [](const std::string& id, const projections::Organization& org, ledger::Position as_of, ledger::Micros at) {
               return renewals_json(id, org, at, as_of);
             });
}

void get_teams(Call& call, Reply reply) {
  answer_org(call, reply,
             [](const std::string& id, const projections::Organization& org, ledger::Position as_of, ledger::Micros) {
               Json out;
               out["org"] = id;
               out["as_of_position"] = as_of;
               out["teams"] = teams_of(org);
               return out;
             });
}

void get_support_grants(Call& call, Reply reply) {
  const auto status = call.query.get("status").value_or("active");
  if (status != "active" && status != "all") {
    return reply(problem_response(400, "invalid_argument", "status is active or all, not '" + status + "'"));
  }
  const bool only_active = status == "active";
  answer_org(call, reply,
             [only_active](const std::string& id, const projections::Organization& org, ledger::Position as_of,
                           ledger::Micros at) {
               Json grants = Json::array();
               for (const auto& [grant_id, grant] : org.grants) {
                 const auto state = projections::grant_state(grant, at);  // S2, S3 at `at`
                 if (only_active && state != projections::GrantState::active) continue;
                 Json item;
                 item["grant"] = grant_id;
                 item["scope"] = projections::to_string(grant.scope);
                 item["resource"] = grant.resource ? Json(*grant.resource) : Json(nullptr);
                 item["ticket"] = grant.ticket;
                 item["granted_by"] = grant.granted_by;
                 item["recorded_at"] = format_instant(grant.recorded_at);
                 item["expires_at"] = format_instant(projections::expires_at(grant));
                 item["state"] = projections::to_string(state);
                 item["revoked_at"] = grant.revoked_at && *grant.revoked_at <= at
                                          ? Json(format_instant(*grant.revoked_at))
                                          : Json(nullptr);
                 item["position"] = grant.position;
                 grants.push_back(std::move(item));
               }
               Json out;
               out["org"] = id;
               out["as_of_position"] = as_of;
               out["at"] = format_instant(at);
               out["grants"] = std::move(grants);
               return out;
             });
}

}  // namespace orgledger::api
