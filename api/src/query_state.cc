#include "query_state.h"

#include "as_of_cache.h"
#include "metrics.h"

namespace orgledger::api {

std::expected<QueryPoint, HttpResponse> query_point(const Call& call) {
  QueryPoint point;
  if (auto text = call.query.get("as_of")) {
    point.as_of = parse_as_of(*text);
    if (!point.as_of) {
      return std::unexpected(problem_response(400, "invalid_argument",
                                              "as_of takes a position or an RFC 3339 instant, not '" + *text + "'"));
    }
  }
  if (auto text = call.query.get("at")) {
    point.at = parse_instant(*text);
    if (!point.at)
      return std::unexpected(
          problem_response(400, "invalid_argument", "at takes an RFC 3339 instant, not '" + *text + "'"));
  }
  return point;
}

HttpResponse starting_response(const Services& services) {
  auto response = problem_response(
      503, "unavailable",
      "the server is starting: its state is being rebuilt from the log (head position " +
          std::to_string(services.ledger.head().position) +
          "); meanwhile it answers questions about one organization, report, case or order, as-of "
          "questions, events and the tree");
  response.headers.emplace_back("Retry-After", "1");
  return response;
}

std::expected<PastState, HttpResponse> whole_state_as_of(const Call& call, const projections::AsOf& as_of) {
  auto& services = call.services;
  const auto now = services.clock.now();
  auto unreadable = [](const ledger::Error& error) {
    return problem_response(503, "unavailable", "the log could not be read: " + error.message);
  };
  auto cut = replay::cut_at(services.ledger, as_of, now);
  if (!cut) return std::unexpected(unreadable(cut.error()));
  PastState past{nullptr, cut->position, cut->default_at};
  if (services.as_of_cache) past.state = services.as_of_cache->find(cut->position);
  if (past.state) {
    services.metrics.as_of_cache_hit();
    return past;
  }
  // Folded to the resolved position: the same state an instant resolving to it would give. From a
  // version the processor kept when the point is recent (a short fold), else from a snapshot.
  const projections::AsOf position{projections::AsOf::Kind::position, static_cast<std::int64_t>(cut->position)};
  const auto* processor = services.processor();  // null while it rebuilds: from a snapshot then
  const auto start = processor != nullptr ? processor->version_at_or_before(cut->position) : nullptr;
  auto folded = start ? projections::fold_as_of_from(services.ledger, *start, position, now, call.cancelled)
                      : projections::fold_as_of(services.ledger, position, now, {}, call.cancelled);
  if (!folded) {
    if (call.cancelled && call.cancelled->load()) {
      services.metrics.costly_cancelled();
      return std::unexpected(problem_response(499, "cancelled", "the client left; the fold was stopped"));
    }
    return std::unexpected(unreadable(folded.error()));
  }
  past.state = std::make_shared<const projections::State>(std::move(folded->state));
  if (services.as_of_cache) services.as_of_cache->put(cut->position, past.state);
  return past;
}

}  // namespace orgledger::api
