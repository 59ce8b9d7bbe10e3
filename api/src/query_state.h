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
#include "orgledger/replay/org_fold_rungs.h"
#include "router.h"

namespace orgledger::api {

struct QueryPoint {
  std::optional<projections::AsOf> as_of;
  std::optional<ledger::Micros> at;
};

// Reads as_of and at from the query; a bad one is an invalid_argument problem.
std::expected<QueryPoint, HttpResponse> query_point(const Call& call);

// 503 unavailable with Retry-After, while the processor still rebuilds its state (Services).
HttpResponse starting_response(const Services& services);

// The live state of the processor, with time rules at `at` (now when absent); starting_response
// while there is none yet.
template <typename Answer>
HttpResponse with_live_state(const Call& call, std::optional<ledger::Micros> at, Answer&& answer) {
  const auto* processor = call.services.processor();
  if (processor == nullptr) return starting_response(call.services);
  const ledger::Micros now = call.services.clock.now();
  return processor->read([&](const projections::State& state) { return answer(state, state.position, at.value_or(now)); });
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

// As with_state, for a question that some streams answer alone: as of a past point, `fold(as_of,
// now)` folds only those (replay/org_fold.h), so the answer costs their history alone. So does a
// question about now while the processor still rebuilds its state (a fold up to the head).
template <typename Fold, typename Answer>
HttpResponse with_streams_state_at(const Call& call, const QueryPoint& point, Fold&& fold, Answer&& answer) {
  if (!point.as_of && call.services.processor() != nullptr) {
    return with_live_state(call, point.at, std::forward<Answer>(answer));
  }
  auto folded = fold(point.as_of, call.services.clock.now());
  if (!folded) return problem_response(503, "unavailable", "the log could not be read: " + folded.error().message);
  return answer(folded->state, folded->as_of_position, point.at.value_or(folded->default_at));
}

// One organization: its streams and its tickets' (S4).
template <typename Answer>
HttpResponse with_org_state_at(const Call& call, const std::string& org, const QueryPoint& point, Answer&& answer) {
  return with_streams_state_at(
      call, point,
      [&](const std::optional<projections::AsOf>& as_of, ledger::Micros now) {
        auto* rungs = call.services.org_folds;
        return rungs != nullptr ? rungs->fold(call.services.ledger, org, as_of, now)
                                : replay::fold_org_as_of(call.services.ledger, org, as_of, now);
      },
      std::forward<Answer>(answer));
}

// Every stream under `prefix` ("abuse:": every abuse report, A1–A7).
template <typename Answer>
HttpResponse with_stream_family_state(const Call& call, std::string_view prefix, Answer&& answer) {
  auto point = query_point(call);
  if (!point) return std::move(point.error());
  return with_streams_state_at(
      call, *point,
      [&](const std::optional<projections::AsOf>& as_of, ledger::Micros now) {
        return replay::fold_stream_family_as_of(call.services.ledger, prefix, as_of, now);
      },
      std::forward<Answer>(answer));
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
  return PersonalView{personal, personal || token.allows(Scope::abuse_reporter), &services.personal_vault(),
                      services.clock.now(), {}};
}

}  // namespace orgledger::api
