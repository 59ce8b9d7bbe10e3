#include "ledger_impl.h"

namespace orgledger::ledger {

Subscription::~Subscription() = default;

// Catch-up and live are one loop: read what is durable past next_, else wait for the head to move.
// Reading by position from the store (never from a separate live feed) is what makes the switch
// free of gaps and duplicates.
std::expected<std::vector<RecordedEvent>, Error> Subscription::next(std::size_t max,
                                                                    std::chrono::milliseconds timeout) {
  if (max == 0) return std::vector<RecordedEvent>{};
  if (ledger_.head().position < next_) {
    if (ledger_.wait_for_head(next_, timeout).position < next_) return std::vector<RecordedEvent>{};
  }
  auto events = ledger_.read(next_, max);
  if (events) next_ += events->size();
  return events;
}

}  // namespace orgledger::ledger
