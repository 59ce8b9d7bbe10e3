#include "orgledger/projections/as_of.h"

#include "orgledger/projections/evolve.h"

namespace orgledger::projections {

std::expected<Folded, ledger::Error> fold_as_of(const ledger::Ledger& ledger, const std::optional<AsOf>& as_of,
                                                Micros now) {
  constexpr std::size_t kChunk = 10'000;
  Folded folded;
  const Position head = ledger.head().position;
  const Position last = as_of && as_of->kind == AsOf::Kind::position
                            ? std::min<Position>(head, static_cast<Position>(std::max<std::int64_t>(as_of->value, 0)))
                            : head;
  std::vector<ledger::RecordedEvent> command;  // the events of a command not yet complete
  bool done = false;
  for (Position next = 1; next <= last && !done;) {
    auto events = ledger.read(next, std::min<std::size_t>(kChunk, last - next + 1));
    if (!events) return std::unexpected(events.error());
    if (events->empty()) break;
    next += events->size();
    for (auto& event : *events) {
      if (as_of && as_of->kind == AsOf::Kind::instant && event.recorded_at() > as_of->value) {
        done = true;
        break;
      }
      const bool ends = event.ends_command();
      command.push_back(std::move(event));
      if (!ends) continue;
      for (const auto& e : command) evolve(folded.state, e);
      command.clear();
    }
  }
  folded.as_of_position = folded.state.position;
  if (!as_of) folded.default_at = now;
  else if (as_of->kind == AsOf::Kind::instant) folded.default_at = as_of->value;
  else folded.default_at = folded.state.recorded_at;
  return folded;
}

}  // namespace orgledger::projections
