// The one seeded source of every random choice of domain_bench's workloads, so that a run is
// repeatable (--seed) and two runs with the same seed write the same log.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iterator>
#include <random>

namespace orgledger::bench {

class Random {
 public:
  explicit Random(std::uint64_t seed) : engine_(seed) {}
  // Uniform in [0, n); n > 0.
  std::size_t below(std::size_t n) { return std::uniform_int_distribution<std::size_t>(0, n - 1)(engine_); }
  // Uniform in [low, high].
  std::size_t between(std::size_t low, std::size_t high) {
    return std::uniform_int_distribution<std::size_t>(low, high)(engine_);
  }
  bool chance(double probability) { return std::bernoulli_distribution(probability)(engine_); }
  // A uniformly chosen element of a non-empty container (linear in its size for node containers).
  template <typename Container>
  auto& pick(Container& container) {
    return *std::next(container.begin(), static_cast<std::ptrdiff_t>(below(container.size())));
  }

 private:
  std::mt19937_64 engine_;
};

}  // namespace orgledger::bench
