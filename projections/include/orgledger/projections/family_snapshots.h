// Snapshots of one family of streams (every abuse report: "abuse:"), so that the family's state as
// of any past point costs a small snapshot plus the family's events after it, not the family's
// whole history (issue 15: global as-of in milliseconds). A family snapshot holds the fold of the
// family's events alone (what Ledger::read_stream_family gives), at the first command's end at or
// after every multiple of `every`; all are kept, since any past point may be asked. They are
// checked as every snapshot is (snapshot.h), and a store that has none (one written by an earlier
// build) gets them from its own log the first time they are extended.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/snapshot_records.h"
#include "orgledger/projections/state.h"

namespace orgledger::projections {

// A family snapshot every N positions of the log. About 5 MiB for 57 k abuse reports.
inline constexpr Position kFamilySnapshotEvery = 1'000'000;

struct StreamFamily {
  std::string prefix;  // the streams whose ids begin with it; never empty
  Position every = kFamilySnapshotEvery;
};

// The snapshot name of a family's series ("family:" then the prefix).
std::string family_snapshot_name(std::string_view prefix);

// The fold of the family's events at or before `cut` (a command's end): from the newest valid
// family snapshot at or before it, then the family's events after that snapshot. Equal, field by
// field, to the fold of the family's events from the first (state.position aside). Errors: the
// ledger's (a damaged event or index is `corrupt`).
std::expected<State, ledger::Error> fold_family(const ledger::Ledger& ledger, std::string_view prefix, Position cut);

// Stores the family's next snapshot if it is due: the first command's end at or after the next
// multiple of `every` past the newest valid one, once the head has reached it. Returns the head
// position to wait for before calling again (past the head when nothing more is due now). One
// snapshot a call, so that a caller catching up (a store from an earlier build) can stop between
// them. Errors: the ledger's; invalid_argument for an empty prefix or an `every` of 0.
std::expected<Position, ledger::Error> store_due_family_snapshot(
    ledger::Ledger& ledger, const StreamFamily& family, ledger::SnapshotPace pace = ledger::SnapshotPace::background);

}  // namespace orgledger::projections
