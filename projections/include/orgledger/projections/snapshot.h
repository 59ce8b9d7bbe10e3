// Snapshots of the domain state (ARCHITECTURE.md, time travel and snapshots): the state at a
// position, stored beside the log in chunks, so that start-up and global as-of questions cost a
// snapshot load plus the events after it. A snapshot is never trusted blindly: one that is
// corrupt, of an unknown format, incomplete, or that does not match the chain hash of its position
// is passed over (and said so) for an older one, or for the log itself.
#pragma once

#include <cstddef>
#include <expected>
#include <functional>
#include <optional>
#include <string>

#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/snapshot_records.h"
#include "orgledger/projections/evolve.h"
#include "orgledger/projections/state.h"

namespace orgledger::projections {

inline constexpr std::string_view kStateSnapshot = "state";
inline constexpr std::uint32_t kSnapshotFormat = 2;  // 2: G1 sealed values, K cases and orders
// Every N events (serve --snapshot-every); the processor also takes one at a clean shutdown.
inline constexpr Position kDefaultSnapshotEvery = 100'000;
// Snapshots kept; older ones are deleted when a new one is stored.
inline constexpr std::size_t kSnapshotsKept = 3;

// The snapshots stored under one name (ARCHITECTURE.md: the projection name of the `snapshots`
// family): the whole state, or the fold of one family of streams (family_snapshots.h).
struct SnapshotSeries {
  std::string_view name;
  std::size_t kept = 0;  // the newest ones kept when one is stored; 0: every one
};
inline constexpr SnapshotSeries kStateSeries{kStateSnapshot, kSnapshotsKept};

// Encodes `state` (the fold of `ledger`, or of the series' streams, up to state.position, a
// command's end) and stores it. Errors: the ledger's (read-only, I/O), an event missing at
// state.position, invalid_argument for a position past the head or inside a command.
std::expected<void, ledger::Error> save_snapshot(ledger::Ledger& ledger, const State& state,
                                                 ledger::SnapshotPace pace = ledger::SnapshotPace::background,
                                                 const SnapshotSeries& series = kStateSeries);

using SnapshotNote = std::function<void(const std::string&)>;

// The newest valid snapshot of `series` at or before `up_to` (and, when given, recorded at or
// before `not_after`); nullopt when there is none. Each one passed over is told to `note`, with why.
std::optional<State> load_snapshot(const ledger::Ledger& ledger, Position up_to, const SnapshotNote& note = {},
                                   std::optional<Micros> not_after = std::nullopt,
                                   const SnapshotSeries& series = kStateSeries);

// The chunks of a state and back (exposed for tests: corrupting a chunk, chunk sizes).
// `fold_version` is kFoldVersion (evolve.h) but in tests of snapshots folded by another version.
std::vector<std::string> encode_snapshot(const State& state, const ledger::Hash& hash, std::size_t max_chunk_entities,
                                         std::uint32_t fold_version = kFoldVersion);
std::expected<State, std::string> decode_snapshot(const std::vector<std::string>& chunks, ledger::Hash& hash);

}  // namespace orgledger::projections
