// Ids for commands that came without one (API.md: every answer to POST /v1/commands names the id
// it used): "auto-<instant of creation>-<64 random bits>-<n>". The random part keeps two starts in
// one clock tick, or after the clock was set back, from repeating an id: a repeated id would be
// answered with another command's first answer.
#pragma once

#include <atomic>
#include <cstdint>
#include <string>

#include "orgledger/ledger/env.h"
#include "orgledger/ledger/types.h"

namespace orgledger::commands {

class CommandIds {
 public:
  // Draws the random part from `random` (the Env's: ledger/env.h); a source that fails leaves it
  // zero, and the instant alone tells two starts apart.
  CommandIds(ledger::Micros created_at, ledger::Random& random);
  // The next id. Thread-safe.
  std::string next();

 private:
  const std::string prefix_;  // "auto-<instant>-<random>-"
  std::atomic<std::uint64_t> generated_{0};
};

}  // namespace orgledger::commands
