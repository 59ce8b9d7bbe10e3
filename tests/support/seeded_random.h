// A deterministic vault::Random for tests whose output must not vary between runs (digests of
// sealed values): a seeded generator, never for real keys.
#pragma once

#include <cstdint>
#include <random>
#include <span>

#include "orgledger/vault/vault.h"

namespace orgledger::testing {

class SeededRandom final : public vault::Random {
 public:
  explicit SeededRandom(std::uint64_t seed) : engine_(seed) {}
  bool fill(std::span<std::uint8_t> out) override {
    for (auto& byte : out) byte = static_cast<std::uint8_t>(engine_());
    return true;
  }

 private:
  std::mt19937_64 engine_;
};

// A Random that has none to give (the seam's failure).
class NoRandom final : public vault::Random {
 public:
  bool fill(std::span<std::uint8_t>) override { return false; }
};

}  // namespace orgledger::testing
