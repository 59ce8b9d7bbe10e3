#include "orgledger/commands/command_ids.h"

#include <array>
#include <cstdio>

namespace orgledger::commands {
namespace {

// 64 random bits in hex.
std::string random_nonce(ledger::Random& random) {
  std::array<std::uint8_t, 8> bytes{};
  if (!random.fill(bytes)) bytes.fill(0);
  std::uint64_t bits = 0;
  for (auto byte : bytes) bits = (bits << 8) | byte;
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(bits));
  return hex;
}

}  // namespace

CommandIds::CommandIds(ledger::Micros created_at, ledger::Random& random)
    : prefix_("auto-" + std::to_string(created_at) + "-" + random_nonce(random) + "-") {}

std::string CommandIds::next() { return prefix_ + std::to_string(++generated_); }

}  // namespace orgledger::commands
