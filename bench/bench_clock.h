// The clock the domain bench hands to the ledger and the processor: it stands still unless moved,
// so every recorded_at is known in advance and the support grants are active at the check instant.
#pragma once

#include <atomic>

#include "orgledger/ledger/clock.h"

namespace orgledger::bench {

class BenchClock final : public ledger::Clock {
 public:
  explicit BenchClock(ledger::Micros start) : now_(start) {}
  ledger::Micros now() const override { return now_.load(std::memory_order_relaxed); }
  void set(ledger::Micros instant) { now_.store(instant, std::memory_order_relaxed); }

 private:
  std::atomic<ledger::Micros> now_;
};

// 2026-11-22T09:00:00Z: the instant at which the whole log is recorded.
inline constexpr ledger::Micros kLogInstant = 1'795'338'000'000'000;
// Checks are asked one hour later: every support grant of the log is active then (S2: 168 h).
inline constexpr ledger::Micros kCheckInstant = kLogInstant + 3'600'000'000LL;

}  // namespace orgledger::bench
