#include "as_of_cache.h"

namespace orgledger::api {

std::shared_ptr<const projections::State> AsOfCache::find(ledger::Position position) {
  std::lock_guard lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->position != position) continue;
    entries_.splice(entries_.begin(), entries_, it);
    return entries_.front().state;
  }
  return nullptr;
}

void AsOfCache::put(ledger::Position position, std::shared_ptr<const projections::State> state) {
  if (capacity_ == 0) return;
  std::shared_ptr<const projections::State> evicted;  // released outside the lock: a state is large
  std::lock_guard lock(mutex_);
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->position == position) {
      entries_.splice(entries_.begin(), entries_, it);
      return;  // two folds of the same point raced: both are the same state
    }
  }
  entries_.push_front({position, std::move(state)});
  if (entries_.size() > capacity_) {
    evicted = std::move(entries_.back().state);
    entries_.pop_back();
  }
}

}  // namespace orgledger::api
