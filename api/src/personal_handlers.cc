// GET /v1/users/{user} (U1, G3), /v1/identity-verifications/{case} (K1–K4) and /v1/orders/{order}
// (K5). Personal data as the token may see it (G3). A case or an order as of a past point folds
// only its own stream.
#include <nlohmann/json.hpp>

#include "orgledger/commands/decide.h"
#include "orgledger/commands/stream_names.h"
#include "orgledger/projections/identity_orders.h"
#include "orgledger/replay/org_fold.h"
#include "query_state.h"
#include "router.h"

namespace orgledger::api {
namespace {

// The entity `find` picks from the state the query asks about, with its as-of position and
// instant; nullopt when it does not exist there.
template <typename Entity>
struct Found {
  std::optional<Entity> entity;
  ledger::Position as_of = 0;
  ledger::Micros at = 0;
};

template <typename Entity, typename Find>
std::expected<Found<Entity>, HttpResponse> find_in_stream(const Call& call, const std::string& stream, Find&& find) {
  auto point = query_point(call);
  if (!point) return std::unexpected(std::move(point.error()));
  const ledger::Micros now = call.services.clock.now();
  if (const auto* processor = call.services.processor(); !point->as_of && processor != nullptr) {
    return processor->read([&](const projections::State& state) {
      const Entity* entity = find(state);
      return Found<Entity>{entity ? std::optional<Entity>(*entity) : std::nullopt, state.position, point->at.value_or(now)};
    });
  }
  auto folded = replay::fold_streams_as_of(call.services.ledger, {stream}, point->as_of, now);
  if (!folded) {
    return std::unexpected(problem_response(503, "unavailable", "the log could not be read: " + folded.error().message));
  }
  const Entity* entity = find(folded->state);
  return Found<Entity>{entity ? std::optional<Entity>(*entity) : std::nullopt, folded->as_of_position,
                       point->at.value_or(folded->default_at)};
}

template <typename Map>
const typename Map::mapped_type* lookup(const Map& map, const std::string& id) {
  auto it = map.find(id);
  return it == map.end() ? nullptr : &it->second;
}


}  // namespace

// Queries answer invalid_argument before not_found (DOMAIN.md, Identifiers).
std::optional<HttpResponse> bad_id(const std::string& what, const std::string& id) {
  if (commands::valid_id(id)) return std::nullopt;
  return problem_response(400, "invalid_argument", what + ": not an id of 1-128 characters of [A-Za-z0-9._:@-]");
}

void get_user(Call& call, Reply reply) {
  const std::string& id = call.path_params.at(0);
  if (auto bad = bad_id("user", id)) return reply(std::move(*bad));
  const auto view = personal_view_for(call.token, call.services);
  reply(with_state(call, [&](const projections::State& state, ledger::Position as_of, ledger::Micros) {
    const auto* user = lookup(state.users, id);
    if (user == nullptr) return problem_response(404, "not_found", "user " + id + " is not registered");
    return json_response(200, user_json(id, *user, state, view, as_of));
  }));
}

void get_identity_verification(Call& call, Reply reply) {
  const std::string& id = call.path_params.at(0);
  if (auto bad = bad_id("case", id)) return reply(std::move(*bad));
  auto found = find_in_stream<projections::IdentityCase>(
      call, commands::identity_case_stream(id), [&](const projections::State& state) { return lookup(state.cases, id); });
  if (!found) return reply(std::move(found.error()));
  if (!found->entity) return reply(problem_response(404, "not_found", "identity verification " + id + " does not exist"));
  const auto view = personal_view_for(call.token, call.services);
  const auto contents = api::document_contents(call.services.ledger, *found->entity);
  reply(json_response(200, identity_verification_json(id, *found->entity, contents, view, found->at, found->as_of)));
}

void get_order(Call& call, Reply reply) {
  const std::string& id = call.path_params.at(0);
  if (auto bad = bad_id("order", id)) return reply(std::move(*bad));
  auto found = find_in_stream<projections::Order>(call, commands::order_stream(id),
                                                  [&](const projections::State& state) { return lookup(state.orders, id); });
  if (!found) return reply(std::move(found.error()));
  if (!found->entity) return reply(problem_response(404, "not_found", "order " + id + " does not exist"));
  reply(json_response(200, order_json(id, *found->entity, found->at, found->as_of)));
}

}  // namespace orgledger::api
