#include "orgledger/projections/as_of.h"

#include "orgledger/projections/event_stream.h"
#include "orgledger/projections/evolve.h"
#include "orgledger/projections/snapshot.h"

namespace orgledger::projections {

namespace {

Position last_position(const ledger::Ledger& ledger, const std::optional<AsOf>& as_of) {
  return as_of && as_of->kind == AsOf::Kind::position ? static_cast<Position>(std::max<std::int64_t>(as_of->value, 0))
                                                      : ledger.head().position;
}

// Folds into `folded.state` the whole commands after its position, up to `last` (and, for an
// instant, recorded by then).
std::expected<Folded, ledger::Error> fold_tail(const ledger::Ledger& ledger, Folded folded, Position last,
                                               const std::optional<AsOf>& as_of, Micros now,
                                               const std::function<void(Position)>& progress,
                                               const std::atomic<bool>* cancelled) {
  std::vector<ledger::RecordedEvent> command;  // the events of a command not yet complete
  bool stopped = false;
  auto folding = for_each_event(ledger, folded.state.position + 1, last, [&](const ledger::RecordedEvent& event) {
    if (as_of && as_of->kind == AsOf::Kind::instant && event.recorded_at() > as_of->value) return false;
    if (cancelled && event.position() % 1024 == 0 && cancelled->load(std::memory_order_relaxed)) {
      stopped = true;
      return false;
    }
    if (progress && event.position() % 65536 == 0) progress(event.position());
    if (event.ends_command() && command.empty()) {
      evolve(folded.state, event);  // the common case: a one-event command
      return true;
    }
    command.push_back(event);
    if (event.ends_command()) {
      for (const auto& e : command) evolve(folded.state, e);
      command.clear();
    }
    return true;
  });
  if (!folding) return std::unexpected(folding.error());
  if (stopped) return std::unexpected(ledger::Error{ledger::ErrorCode::stopped, "the fold was cancelled"});
  folded.as_of_position = folded.state.position;
  if (!as_of) folded.default_at = now;
  else if (as_of->kind == AsOf::Kind::instant) folded.default_at = as_of->value;
  else folded.default_at = folded.state.recorded_at;
  return folded;
}

}  // namespace

std::expected<Folded, ledger::Error> fold_as_of(const ledger::Ledger& ledger, const std::optional<AsOf>& as_of,
                                                Micros now, const std::function<void(Position)>& progress,
                                                const std::atomic<bool>* cancelled) {
  Folded folded;
  const Position last = last_position(ledger, as_of);
  // From the nearest valid snapshot at or before the point (for an instant: recorded by then).
  const std::optional<Micros> instant =
      as_of && as_of->kind == AsOf::Kind::instant ? std::optional<Micros>(as_of->value) : std::nullopt;
  if (auto snapshot = load_snapshot(ledger, last, {}, instant)) folded.state = std::move(*snapshot);
  return fold_tail(ledger, std::move(folded), last, as_of, now, progress, cancelled);
}

std::expected<Folded, ledger::Error> fold_as_of_from(const ledger::Ledger& ledger, const State& start,
                                                     const std::optional<AsOf>& as_of, Micros now,
                                                     const std::atomic<bool>* cancelled) {
  const Position last = last_position(ledger, as_of);
  if (start.position > last || (as_of && as_of->kind == AsOf::Kind::instant && start.recorded_at > as_of->value)) {
    return fold_as_of(ledger, as_of, now, {}, cancelled);  // past the point: it cannot be the start
  }
  Folded folded;
  folded.state = start;  // shares every entity; the tail's changes copy what they touch
  return fold_tail(ledger, std::move(folded), last, as_of, now, {}, cancelled);
}

}  // namespace orgledger::projections
