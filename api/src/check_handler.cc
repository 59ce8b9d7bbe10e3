// GET /v1/check (API.md): the permission check with its reasons.
#include <nlohmann/json.hpp>

#include "orgledger/projections/access.h"
#include "query_state.h"
#include "router.h"

namespace orgledger::api {

void get_check(Call& call, Reply reply) {
  auto bad = [&](std::string detail) { reply(problem_response(400, "invalid_argument", std::move(detail))); };
  for (const char* required : {"org", "user", "action"}) {
    if (!call.query.get(required)) return bad(std::string(required) + " is required");
  }
  projections::CheckRequest request{
      *call.query.get("org"), *call.query.get("user"), {}, call.query.get("product"), {}, call.query.get("resource")};
  const auto action = projections::parse_action(*call.query.get("action"));
  if (!action) return bad("unknown action '" + *call.query.get("action") + "'");
  request.action = *action;
  if (request.action == projections::Action::product_access && !request.product)
    return bad("product.access needs product");
  if (auto scope = call.query.get("scope")) {
    request.scope = projections::parse_support_scope(*scope);
    if (!request.scope) return bad("scope is mail, kdrive or kchat");
  }
  if (request.action == projections::Action::support_access && !request.scope) return bad("support.access needs scope");
  const auto explain = call.query.get("explain").value_or("false");
  if (explain != "true" && explain != "false") return bad("explain is true or false");

  reply(with_org_state(call, request.org, [&](const projections::State& state, ledger::Position as_of, ledger::Micros at) {
    if (!state.organizations.contains(request.org)) {
      return problem_response(404, "not_found", "organization " + request.org + " does not exist");
    }
    const auto result = projections::check(state, request, at);
    return json_response(200, check_json(result, as_of, explain == "true"));
  }));
}

}  // namespace orgledger::api
