// A clock the test moves by hand, so recorded_at is exact and repeatable.
#pragma once

#include <atomic>

#include "orgledger/ledger/clock.h"

namespace orgledger::testing {

class ManualClock final : public ledger::Clock {
 public:
  explicit ManualClock(ledger::Micros start) : now_(start) {}
  ledger::Micros now() const override { return now_.load(); }
  void set(ledger::Micros instant) { now_.store(instant); }
  void advance(ledger::Micros delta) { now_.fetch_add(delta); }

 private:
  std::atomic<ledger::Micros> now_;
};

inline constexpr ledger::Micros kHour = 3'600'000'000LL;

// 2026-11-22T09:14:03.250117Z, the instant API.md prints.
inline constexpr ledger::Micros kSampleInstant = 1'795'338'843'250'117;

}  // namespace orgledger::testing
