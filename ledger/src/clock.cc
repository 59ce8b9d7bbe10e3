#include "orgledger/ledger/clock.h"

#include <chrono>

namespace orgledger::ledger {

Micros SystemClock::now() const {
  const auto since_epoch = std::chrono::system_clock::now().time_since_epoch();
  return std::chrono::duration_cast<std::chrono::microseconds>(since_epoch).count();
}

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace orgledger::ledger
