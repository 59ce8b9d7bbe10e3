// D3 for one organization (ARCHITECTURE.md, time travel): the state as of a position or an
// instant built from only the streams the organization needs — its own stream and the streams of
// the tickets its support grants name (S4) — read through the streams index, so that a question
// about one organization costs that organization's history, not the log's.
#pragma once

#include <expected>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orgledger/ledger/ledger.h"
#include "orgledger/projections/as_of.h"

namespace orgledger::replay {

// Where a question stands in the whole log: the last position whose command is whole at or
// before the asked point, and the instant time rules are evaluated at by default (D3).
struct Cut {
  ledger::Position position = 0;
  ledger::Micros default_at = 0;
};

// Resolves an as-of (absent: now, at the head) against the log: for a position P, the last
// command ending at or before P (half a command is never visible); for an instant T, the last
// event recorded at or before T (found by binary search: recorded_at never goes backwards).
std::expected<Cut, ledger::Error> cut_at(const ledger::Ledger& ledger, const std::optional<projections::AsOf>& as_of,
                                         ledger::Micros now);

// Calls `visit` with every event of `org`'s streams at or before `cut`, in log order. Errors:
// the ledger's (a damaged event is `corrupt` with its position).
std::expected<void, ledger::Error> for_each_org_event(const ledger::Ledger& ledger, const std::string& org,
                                                      ledger::Position cut,
                                                      const std::function<void(const ledger::RecordedEvent&)>& visit);

// The state of `org` (and its tickets) as of `as_of`, with the cut's position and default instant.
// Other organizations, users and reports are not in it.
std::expected<projections::Folded, ledger::Error> fold_org_as_of(const ledger::Ledger& ledger, const std::string& org,
                                                                 const std::optional<projections::AsOf>& as_of,
                                                                 ledger::Micros now);

// The state built from `streams` alone as of `as_of` (a question about one identity case or one
// order, K1–K5: their streams say all of it).
std::expected<projections::Folded, ledger::Error> fold_streams_as_of(const ledger::Ledger& ledger,
                                                                     const std::vector<std::string>& streams,
                                                                     const std::optional<projections::AsOf>& as_of,
                                                                     ledger::Micros now);

// The state built from every stream whose id begins with `prefix` as of `as_of`: "abuse:" gives
// every abuse report (A1–A7: a report's stream says all of it), at the cost of the family's
// snapshot nearest before the point and the family's events after it, rather than the log's
// (projections/family_snapshots.h).
std::expected<projections::Folded, ledger::Error> fold_stream_family_as_of(const ledger::Ledger& ledger,
                                                                           std::string_view prefix,
                                                                           const std::optional<projections::AsOf>& as_of,
                                                                           ledger::Micros now);

}  // namespace orgledger::replay
