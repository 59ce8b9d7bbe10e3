#include "rate_limiter.h"

#include <algorithm>
#include <cmath>

namespace orgledger::api {

std::optional<std::chrono::seconds> RateLimiter::admit(std::string_view token, Clock::time_point now) {
  if (per_minute_ == 0) return std::nullopt;
  const double capacity = per_minute_;
  const double per_second = capacity / 60.0;
  std::lock_guard lock(mutex_);
  if (buckets_.size() >= prune_at_) {
    prune(now);
    prune_at_ = std::max(kPruneAbove, 2 * buckets_.size());
  }
  auto [it, fresh] = buckets_.try_emplace(std::string(token));
  Bucket& bucket = it->second;
  if (fresh) {
    bucket.tokens = capacity;
    bucket.refilled = now;
  } else {
    const double elapsed = std::chrono::duration<double>(now - bucket.refilled).count();
    bucket.tokens = std::min(capacity, bucket.tokens + std::max(0.0, elapsed) * per_second);
    bucket.refilled = std::max(bucket.refilled, now);
  }
  if (bucket.tokens >= 1.0) {
    bucket.tokens -= 1.0;
    return std::nullopt;
  }
  const double wait = (1.0 - bucket.tokens) / per_second;
  return std::chrono::seconds(std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil(wait))));
}

void RateLimiter::prune(Clock::time_point now) {
  const double per_second = per_minute_ / 60.0;
  std::erase_if(buckets_, [&](const auto& entry) {
    const double elapsed = std::chrono::duration<double>(now - entry.second.refilled).count();
    return entry.second.tokens + std::max(0.0, elapsed) * per_second >= per_minute_;
  });
}

}  // namespace orgledger::api
