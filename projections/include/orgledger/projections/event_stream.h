// Folding the log fast: a reader thread reads the next chunks while the caller folds the current
// one, so reading (RocksDB, verification) and evolve overlap on two cores.
#pragma once

#include <expected>
#include <functional>

#include "orgledger/ledger/ledger.h"

namespace orgledger::projections {

// Calls `apply` on every event from position `from` to `to` (inclusive, bounded by the head), in
// order, on the calling thread; stops early when `apply` returns false. Errors: the ledger's
// (a damaged event names its position).
std::expected<void, ledger::Error> for_each_event(const ledger::Ledger& ledger, ledger::Position from,
                                                  ledger::Position to,
                                                  const std::function<bool(const ledger::RecordedEvent&)>& apply);

}  // namespace orgledger::projections
