// A small LRU of whole states folded as of a past position (issue 11): the same global as-of
// question asked again is answered without folding the log again. Keyed by the position the
// as-of resolved to (replay::cut_at), so an instant and the position it resolves to share one
// entry. A past state never changes (the log is append-only), so an entry is never stale.
#pragma once

#include <cstddef>
#include <list>
#include <memory>
#include <mutex>

#include "orgledger/ledger/types.h"
#include "orgledger/projections/state.h"

namespace orgledger::api {

class AsOfCache {
 public:
  // Holds at most `entries` states (0: caches nothing).
  explicit AsOfCache(std::size_t entries) : capacity_(entries) {}

  // The state folded as of `position`, or null. Thread-safe.
  std::shared_ptr<const projections::State> find(ledger::Position position);
  // Keeps `state` as the one of `position`, forgetting the least recently used past capacity.
  void put(ledger::Position position, std::shared_ptr<const projections::State> state);

 private:
  struct Entry {
    ledger::Position position;
    std::shared_ptr<const projections::State> state;
  };
  const std::size_t capacity_;
  std::mutex mutex_;
  std::list<Entry> entries_;  // most recently used first; a few entries, so a list is enough
};

}  // namespace orgledger::api
