// The one seam through which wall-clock time reaches the ledger (ARCHITECTURE.md: no
// system_clock::now() outside the clock's own file), so tests and replay control time exactly.
#pragma once

#include "orgledger/ledger/types.h"

namespace orgledger::ledger {

class Clock {
 public:
  virtual ~Clock() = default;
  // Current instant, µs since the Unix epoch (UTC). Thread-safe. May go backwards; the ledger
  // clamps recorded_at so that it never does.
  virtual Micros now() const = 0;
};

// The operating system's real-time clock.
class SystemClock final : public Clock {
 public:
  Micros now() const override;
};

// A process-wide SystemClock (a constant, not state).
const Clock& system_clock();

}  // namespace orgledger::ledger
