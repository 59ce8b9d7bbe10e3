// The per-token rate limit (API.md: `serve --rate-limit N/min`, `rate_limited` with Retry-After):
// a token bucket per token holding up to N requests, refilled at N per minute, so a client may
// burst up to its minute's worth and then gets its steady rate.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>

namespace orgledger::api {

class RateLimiter {
 public:
  using Clock = std::chrono::steady_clock;
  // 0 requests per minute: no limit.
  explicit RateLimiter(std::uint32_t per_minute) : per_minute_(per_minute) {}
  // Past this many buckets, the full ones (clients idle for a minute, as good as new) are dropped,
  // so that many one-off clients (addresses, for the public routes) cannot grow the map forever.
  static constexpr std::size_t kPruneAbove = 65'536;

  // Takes one request of `token` at `now`: nullopt when admitted, else the whole seconds to wait
  // until the next one would be (at least 1). Thread-safe.
  std::optional<std::chrono::seconds> admit(std::string_view token, Clock::time_point now);
  // How many buckets are kept (tests of the pruning).
  std::size_t buckets() const {
    std::lock_guard lock(mutex_);
    return buckets_.size();
  }

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point refilled;
  };
  const std::uint32_t per_minute_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, Bucket> buckets_;
  // The size at which the next prune runs: twice what a prune left, so that a map of buckets that
  // are all in use is not scanned again at every request.
  std::size_t prune_at_ = kPruneAbove;
  void prune(Clock::time_point now);
};

}  // namespace orgledger::api
