// D3: the state as of a position or an instant — a fold of evolve over the log up to it.
#pragma once

#include <atomic>
#include <expected>
#include <functional>
#include <optional>

#include "orgledger/ledger/ledger.h"
#include "orgledger/projections/state.h"

namespace orgledger::projections {

struct AsOf {
  enum class Kind { position, instant } kind = Kind::position;
  std::int64_t value = 0;  // a position, or µs since the epoch
};

struct Folded {
  State state;
  Position as_of_position = 0;  // the last event folded in
  // The instant time rules are evaluated at by default (D3): the as-of instant, or for a position
  // its recorded_at; `now` when no as-of was asked.
  Micros default_at = 0;
};

// Folds the whole log (as_of absent) or up to as_of: for a position P, the state after the last
// command whose events all lie at or before P (half a command is never visible); for an instant T,
// every event recorded at or before T.
// `progress`, when given, is told the position reached now and then (for a progress line).
// `cancelled`, when given and set (a server's client left), stops the fold early: the error is
// `stopped`, and no partial state is returned.
std::expected<Folded, ledger::Error> fold_as_of(const ledger::Ledger& ledger, const std::optional<AsOf>& as_of,
                                                Micros now, const std::function<void(Position)>& progress = {},
                                                const std::atomic<bool>* cancelled = nullptr);
// As fold_as_of, starting from `start` (a state at a command's end, at or before the point;
// usually a version the live state published, commands/processor.h) instead of a snapshot: only
// the events after it are folded, into a copy that shares what they leave as it is.
std::expected<Folded, ledger::Error> fold_as_of_from(const ledger::Ledger& ledger, const State& start,
                                                     const std::optional<AsOf>& as_of, Micros now,
                                                     const std::atomic<bool>* cancelled = nullptr);

}  // namespace orgledger::projections
