#include "orgledger/projections/family_snapshots.h"

#include "orgledger/projections/evolve.h"
#include "orgledger/projections/snapshot.h"

namespace orgledger::projections {
namespace {

// The newest valid snapshot of the family at or before `up_to`, or the empty state before its
// first event.
State nearest_snapshot(const ledger::Ledger& ledger, const std::string& name, Position up_to) {
  return load_snapshot(ledger, up_to, {}, std::nullopt, SnapshotSeries{name, 0}).value_or(State{});
}

// Folds into `state` the family's events after state.position and at or before `cut`.
std::expected<void, ledger::Error> fold_events(const ledger::Ledger& ledger, std::string_view prefix, State& state,
                                               Position cut) {
  auto events = ledger.read_stream_family(prefix, cut, state.position);
  if (!events) return std::unexpected(events.error());
  for (const auto& event : *events) evolve(state, event);
  return {};
}

// The last event of the command that holds position `from` (or nullopt past the head).
std::expected<std::optional<ledger::RecordedEvent>, ledger::Error> command_end_from(const ledger::Ledger& ledger,
                                                                                   Position from) {
  constexpr std::size_t kRead = 64;
  for (Position at = from;; at += kRead) {
    auto events = ledger.read(at, kRead);
    if (!events) return std::unexpected(events.error());
    for (auto& event : *events) {
      if (event.ends_command()) return std::optional(std::move(event));
    }
    if (events->size() < kRead) return std::optional<ledger::RecordedEvent>();
  }
}

}  // namespace

std::string family_snapshot_name(std::string_view prefix) { return "family:" + std::string(prefix); }

std::expected<State, ledger::Error> fold_family(const ledger::Ledger& ledger, std::string_view prefix, Position cut) {
  State state = nearest_snapshot(ledger, family_snapshot_name(prefix), cut);
  if (auto folded = fold_events(ledger, prefix, state, cut); !folded) return std::unexpected(folded.error());
  return state;
}

std::expected<Position, ledger::Error> store_due_family_snapshot(ledger::Ledger& ledger, const StreamFamily& family,
                                                                ledger::SnapshotPace pace) {
  if (family.prefix.empty() || family.every == 0) {
    return std::unexpected(ledger::Error{ledger::ErrorCode::invalid_argument, "a stream family needs a prefix and a spacing"});
  }
  const std::string name = family_snapshot_name(family.prefix);
  const Position head = ledger.head().position;
  State state = nearest_snapshot(ledger, name, head);
  const Position due = (state.position / family.every + 1) * family.every;
  if (due > head) return due;
  auto end = command_end_from(ledger, due);
  if (!end) return std::unexpected(end.error());
  if (!*end) return head + 1;  // the command at `due` is not all durable yet
  if (auto folded = fold_events(ledger, family.prefix, state, (*end)->position()); !folded) {
    return std::unexpected(folded.error());
  }
  // The snapshot stands at the log's position, not at the family's last event: it must match the
  // chain there, and the next fold starts after it.
  state.position = (*end)->position();
  state.recorded_at = (*end)->recorded_at();
  if (auto saved = save_snapshot(ledger, state, pace, SnapshotSeries{name, 0}); !saved) {
    return std::unexpected(saved.error());
  }
  return (state.position / family.every + 1) * family.every;
}

}  // namespace orgledger::projections
