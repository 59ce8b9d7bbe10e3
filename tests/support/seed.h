// One seeded source for a randomized test (ARCHITECTURE.md): the seed is printed, and
// ORGLEDGER_SEED=<n> replays it.
#pragma once

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

namespace orgledger::testing {

inline std::uint64_t test_seed(const char* test_name) {
  std::uint64_t seed = std::random_device{}();
  if (const char* fixed = std::getenv("ORGLEDGER_SEED"); fixed != nullptr && *fixed != '\0') {
    seed = std::stoull(fixed);
  }
  std::fprintf(stderr, "[%s] seed %llu (replay with ORGLEDGER_SEED=%llu)\n", test_name,
               static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  return seed;
}

}  // namespace orgledger::testing
