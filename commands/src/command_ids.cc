#include "orgledger/commands/command_ids.h"

#include <cstdio>
#include <random>

namespace orgledger::commands {
namespace {

// 64 random bits in hex.
std::string random_nonce() {
  std::random_device device;
  const std::uint64_t bits = (static_cast<std::uint64_t>(device()) << 32) ^ device();
  char hex[17];
  std::snprintf(hex, sizeof hex, "%016llx", static_cast<unsigned long long>(bits));
  return hex;
}

}  // namespace

CommandIds::CommandIds(ledger::Micros created_at)
    : prefix_("auto-" + std::to_string(created_at) + "-" + random_nonce() + "-") {}

std::string CommandIds::next() { return prefix_ + std::to_string(++generated_); }

}  // namespace orgledger::commands
