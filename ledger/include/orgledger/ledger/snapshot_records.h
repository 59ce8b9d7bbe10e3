// Snapshots of projections beside the log (ARCHITECTURE.md), in the same store but a column
// family of their own: a snapshot is named, taken at a position, and made of chunks (opaque here:
// projections/snapshot.h says what they hold) written atomically in one synced batch. Kept out of
// Ledger's surface: the log does not know snapshots (issue 15).
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "orgledger/ledger/ledger.h"

namespace orgledger::ledger {

// How fast a snapshot is written: paced while the log takes appends (they share the device), at
// once when nothing else runs (a shutdown).
enum class SnapshotPace { background, at_once };

class SnapshotRecords {
 public:
  // Over `ledger`'s store; `ledger` must outlive it. A read-only ledger of a store without
  // snapshots sees none. Thread-safe.
  explicit SnapshotRecords(const Ledger& ledger) : ledger_(ledger) {}

  // Stores the chunks of `name` at `position`, replacing a snapshot there whole. They are written
  // as a table file outside the events' WAL, synced, then ingested into the store, so appends do
  // not queue behind them. Errors: read_only, io_error.
  [[nodiscard]] std::expected<void, Error> put(std::string_view name, Position position,
                                               const std::vector<std::string>& chunks,
                                               SnapshotPace pace = SnapshotPace::background);
  // The positions of `name`'s snapshots, ascending.
  [[nodiscard]] std::expected<std::vector<Position>, Error> positions(std::string_view name) const;
  // Its chunks in order (empty when there is no such snapshot).
  [[nodiscard]] std::expected<std::vector<std::string>, Error> read(std::string_view name, Position position) const;
  [[nodiscard]] std::expected<void, Error> remove(std::string_view name, Position position);

 private:
  const Ledger& ledger_;
};

}  // namespace orgledger::ledger
