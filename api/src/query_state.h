// The state a query is asked of (D3): as of `as_of` (a position or an instant: a fold of the log)
// when the query gives one, else the live state of the processor; and the instant `at` at which
// time rules (S2, A4) are evaluated: `at` when given, else the as-of instant, else now.
#pragma once

#include <expected>
#include <memory>
#include <optional>

#include "http_message.h"
#include "orgledger/api/personal_view.h"
#include "orgledger/api/time_format.h"
#include "orgledger/commands/processor.h"
#include "orgledger/projections/as_of.h"
#include "orgledger/replay/org_fold.h"
#include "router.h"

namespace orgledger::api {

struct QueryPoint {
  std::optional<projections::AsOf> as_of;
  std::optional<ledger::Micros> at;
};

// Reads as_of and at from the query; a bad one is an invalid_argument problem.
std::expected<QueryPoint, HttpResponse> query_point(const Call& call);

// The live state of the processor, with time rules at `at` (now when absent).
template <typename Answer>
HttpResponse with_live_state(const Call& call, std::optional<ledger::Micros> at, Answer&& answer) {
  const ledger::Micros now = call.services.clock.now();
  return call.services.processor.read(
      [&](const projections::State& state) { return answer(state, state.position, at.value_or(now)); });
}

// The whole state as of a past point (cost class whole_state): the as-of is resolved to a position
// first (replay::cut_at), then answered from the as-of cache or folded (and kept there). The fold
// stops when call.cancelled is set: the problem then says so (nobody reads it).
struct PastState {
  std::shared_ptr<const projections::State> state;
  ledger::Position position = 0;
  ledger::Micros default_at = 0;
};
std::expected<PastState, HttpResponse> whole_state_as_of(const Call& call, const projections::AsOf& as_of);

// Runs `answer(state, as_of_position, at)` on the state the query asks about and returns its
// response (or the problem of a bad as_of / at, or of a log that could not be read).
template <typename Answer>
HttpResponse with_state(const Call& call, Answer&& answer) {
  auto point = query_point(call);
  if (!point) return std::move(point.error());
  if (!point->as_of) return with_live_state(call, point->at, std::forward<Answer>(answer));
  auto past = whole_state_as_of(call, *point->as_of);
  if (!past) return std::move(past.error());
  return answer(*past->state, past->position, point->at.value_or(past->default_at));
}

// As with_state, for a question about one organization: as of a past point, only that
// organization's streams are folded (replay/org_fold.h), so the answer costs its history alone.
template <typename Answer>
HttpResponse with_org_state_at(const Call& call, const std::string& org, const QueryPoint& point, Answer&& answer) {
  if (!point.as_of) return with_live_state(call, point.at, std::forward<Answer>(answer));
  auto folded = replay::fold_org_as_of(call.services.ledger, org, point.as_of, call.services.clock.now());
  if (!folded) return problem_response(503, "unavailable", "the log could not be read: " + folded.error().message);
  return answer(folded->state, folded->as_of_position, point.at.value_or(folded->default_at));
}

template <typename Answer>
HttpResponse with_org_state(const Call& call, const std::string& org, Answer&& answer) {
  auto point = query_point(call);
  if (!point) return std::move(point.error());
  return with_org_state_at(call, org, *point, std::forward<Answer>(answer));
}

// What a token may see of personal data (G3): personal_data (admin includes it) sees all of it,
// abuse:reporter the reporters' contact details (A6); everyone "redacted", or "forgotten" (G2).
inline PersonalView personal_view_for(const TokenInfo& token, const Services& services) {
  const bool personal = token.allows(Scope::personal_data);
  return PersonalView{personal, personal || token.allows(Scope::abuse_reporter), &services.processor.vault(),
                      services.clock.now(), {}};
}

}  // namespace orgledger::api
