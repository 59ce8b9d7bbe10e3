#include "orgledger/replay/org_fold.h"

#include <algorithm>
#include <set>

#include "orgledger/ledger/event_codec.h"
#include "orgledger/projections/evolve.h"
#include "orgledger/projections/family_snapshots.h"
#include "stream_reads.h"

namespace orgledger::replay {
namespace {

// Every event of `stream` at or before `cut`.
std::expected<void, ledger::Error> read_stream_until(const ledger::Ledger& ledger, const std::string& stream,
                                                     ledger::Position cut, std::vector<ledger::RecordedEvent>& out) {
  return read_stream_between(ledger, stream, 1, 0, cut, out);
}

std::expected<ledger::RecordedEvent, ledger::Error> event_at(const ledger::Ledger& ledger, ledger::Position position) {
  auto events = ledger.read(position, 1);
  if (!events) return std::unexpected(events.error());
  if (events->empty()) return std::unexpected(ledger::Error{ledger::ErrorCode::corrupt, "missing event", position});
  return std::move(events->front());
}

// The fold of `events` (in log order), as of `cut`.
projections::Folded folded_from(const std::vector<ledger::RecordedEvent>& events, const Cut& cut) {
  projections::Folded folded;
  for (const auto& event : events) projections::evolve(folded.state, event);
  folded.as_of_position = cut.position;
  folded.default_at = cut.default_at;
  return folded;
}

}  // namespace

std::expected<Cut, ledger::Error> cut_at(const ledger::Ledger& ledger, const std::optional<projections::AsOf>& as_of,
                                         ledger::Micros now) {
  const ledger::Position head = ledger.head().position;
  ledger::Position last = head;
  if (as_of && as_of->kind == projections::AsOf::Kind::position) {
    last = std::min<ledger::Position>(head, static_cast<ledger::Position>(std::max<std::int64_t>(as_of->value, 0)));
  } else if (as_of) {
    // The last event recorded at or before the instant: recorded_at never goes backwards.
    ledger::Position low = 0, high = head;  // invariant: events ≤ low are at or before it, > high after
    while (low < high) {
      const ledger::Position middle = low + (high - low + 1) / 2;
      auto event = event_at(ledger, middle);
      if (!event) return std::unexpected(event.error());
      if (event->recorded_at() <= as_of->value)
        low = middle;
      else
        high = middle - 1;
    }
    last = low;
  }
  // A position's default instant is its event's recorded_at (0 before the first event).
  Cut cut{last, as_of && as_of->kind == projections::AsOf::Kind::position ? 0 : now};
  if (last > 0) {
    auto event = event_at(ledger, last);
    if (!event) return std::unexpected(event.error());
    if (!event->ends_command()) {
      // Half a command is never visible: stop before its first event.
      cut.position = last - event->command_event_index() - 1;
      if (cut.position > 0) {
        auto before = event_at(ledger, cut.position);
        if (!before) return std::unexpected(before.error());
        event = std::move(before);
      }
    }
    if (as_of && as_of->kind == projections::AsOf::Kind::position)
      cut.default_at = cut.position > 0 ? event->recorded_at() : 0;
  }
  if (as_of && as_of->kind == projections::AsOf::Kind::instant) cut.default_at = as_of->value;
  return cut;
}

std::expected<void, ledger::Error> for_each_org_event(const ledger::Ledger& ledger, const std::string& org,
                                                      ledger::Position cut,
                                                      const std::function<void(const ledger::RecordedEvent&)>& visit) {
  std::vector<ledger::RecordedEvent> events;
  if (auto read = read_stream_until(ledger, "org:" + org, cut, events); !read) return read;
  // S4: who may use a grant is decided in its ticket's stream.
  std::set<std::string> tickets;
  for (const auto& event : events) {
    if (auto ticket = granted_ticket(event)) tickets.insert(std::move(*ticket));
  }
  const std::size_t own = events.size();
  for (const auto& ticket : tickets) {
    if (auto read = read_stream_until(ledger, "ticket:" + ticket, cut, events); !read) return read;
  }
  if (events.size() > own) {
    std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.position() < b.position(); });
  }
  for (const auto& event : events) visit(event);
  return {};
}

std::expected<projections::Folded, ledger::Error> fold_org_as_of(const ledger::Ledger& ledger, const std::string& org,
                                                                 const std::optional<projections::AsOf>& as_of,
                                                                 ledger::Micros now) {
  auto cut = cut_at(ledger, as_of, now);
  if (!cut) return std::unexpected(cut.error());
  projections::Folded folded;
  auto folding = for_each_org_event(ledger, org, cut->position, [&](const ledger::RecordedEvent& event) {
    projections::evolve(folded.state, event);
  });
  if (!folding) return std::unexpected(folding.error());
  folded.as_of_position = cut->position;
  folded.default_at = cut->default_at;
  return folded;
}

std::expected<projections::Folded, ledger::Error> fold_streams_as_of(const ledger::Ledger& ledger,
                                                                     const std::vector<std::string>& streams,
                                                                     const std::optional<projections::AsOf>& as_of,
                                                                     ledger::Micros now) {
  auto cut = cut_at(ledger, as_of, now);
  if (!cut) return std::unexpected(cut.error());
  std::vector<ledger::RecordedEvent> events;
  for (const auto& stream : streams) {
    if (auto read = read_stream_until(ledger, stream, cut->position, events); !read) return std::unexpected(read.error());
  }
  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.position() < b.position(); });
  return folded_from(events, *cut);
}

std::expected<projections::Folded, ledger::Error> fold_stream_family_as_of(const ledger::Ledger& ledger,
                                                                           std::string_view prefix,
                                                                           const std::optional<projections::AsOf>& as_of,
                                                                           ledger::Micros now) {
  auto cut = cut_at(ledger, as_of, now);
  if (!cut) return std::unexpected(cut.error());
  auto state = projections::fold_family(ledger, prefix, cut->position);
  if (!state) return std::unexpected(state.error());
  return projections::Folded{.state = std::move(*state), .as_of_position = cut->position, .default_at = cut->default_at};
}

}  // namespace orgledger::replay
