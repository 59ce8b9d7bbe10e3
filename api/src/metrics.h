// The server's Prometheus metrics (GET /metrics, text exposition format 0.0.4): requests by route
// and status, latency histograms, group-commit sizes, fsync latency, head position, subscribers,
// rejections by code.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "orgledger/ledger/ledger.h"

namespace orgledger::api {

// A cumulative histogram with fixed upper bounds; lock-free to observe.
class Histogram {
 public:
  explicit Histogram(std::span<const double> bounds);
  void observe(double value);
  // Appends the _bucket, _sum and _count series of `name` with `labels` ("" or `a="b",`).
  void render(std::string& out, std::string_view name, std::string_view labels) const;

 private:
  std::span<const double> bounds_;
  std::array<std::atomic<std::uint64_t>, 24> counts_{};  // one per bound, then +Inf
  std::atomic<std::uint64_t> sum_micro_{0};              // the sum, in millionths
  std::atomic<std::uint64_t> count_{0};
};

class Metrics final : public ledger::GroupObserver {
 public:
  Metrics();
  ~Metrics() override;
  void request_done(std::string_view route, int status, std::chrono::microseconds duration);
  void rejection(std::string_view code);
  void connection_opened() { ++connections_; }
  void connection_closed() { --connections_; }
  void subscriber_added() { ++subscribers_; }
  void subscriber_removed() { --subscribers_; }
  long subscribers() const { return subscribers_.load(); }
  long connections() const { return connections_.load(); }
  // Costly work (issue 11): cancelled because its client left (queued or running), refused by the
  // per-token share (429) or a full queue (503), and global as-of answers from the cache.
  void costly_cancelled() { ++costly_cancelled_; }
  void costly_refused_token_busy() { ++costly_token_busy_; }
  void costly_refused_full() { ++costly_full_; }
  void as_of_cache_hit() { ++as_of_cache_hits_; }
  // Connections closed at the door (per-address cap, full server) or evicted unauthenticated to
  // keep the reserve for authenticated clients.
  void connection_refused(bool per_address) { ++(per_address ? refused_per_address_ : refused_full_); }
  void connection_evicted() { ++evicted_; }

  // GroupObserver (the ledger's writer thread).
  void group_written(std::size_t commands, std::size_t events, std::chrono::microseconds write_time) override;

  std::string render(const ledger::Ledger& ledger) const;

 private:
  struct RouteStats;
  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<RouteStats>, std::less<>> routes_;
  std::map<std::pair<std::string, int>, std::uint64_t> requests_;  // (route, status) → count
  std::map<std::string, std::uint64_t, std::less<>> rejections_;
  Histogram group_commands_;
  Histogram group_events_;
  Histogram write_seconds_;
  std::atomic<long> connections_{0};
  std::atomic<long> subscribers_{0};
  std::atomic<std::uint64_t> costly_cancelled_{0}, costly_token_busy_{0}, costly_full_{0}, as_of_cache_hits_{0};
  std::atomic<std::uint64_t> refused_per_address_{0}, refused_full_{0}, evicted_{0};
};

}  // namespace orgledger::api
