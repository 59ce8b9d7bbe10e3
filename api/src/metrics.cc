#include "metrics.h"

#include <fmt/format.h>
#include <malloc.h>

#include <memory>

#include "orgledger/ledger/store_stats.h"

namespace orgledger::api {
namespace {

constexpr double kLatencyBounds[] = {0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
                                     0.05,   0.1,     0.25,   0.5,   1,      2.5,   5,    10};
constexpr double kGroupBounds[] = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024, 4096};

}  // namespace

struct Metrics::RouteStats {
  Histogram latency{kLatencyBounds};
};

Histogram::Histogram(std::span<const double> bounds) : bounds_(bounds) {}

void Histogram::observe(double value) {
  std::size_t bucket = 0;
  while (bucket < bounds_.size() && value > bounds_[bucket]) ++bucket;
  counts_[bucket].fetch_add(1, std::memory_order_relaxed);
  sum_micro_.fetch_add(static_cast<std::uint64_t>(value * 1e6), std::memory_order_relaxed);
  count_.fetch_add(1, std::memory_order_relaxed);
}

void Histogram::render(std::string& out, std::string_view name, std::string_view labels) const {
  std::uint64_t cumulative = 0;
  for (std::size_t i = 0; i <= bounds_.size(); ++i) {
    cumulative += counts_[i].load(std::memory_order_relaxed);
    const std::string bound = i < bounds_.size() ? fmt::format("{}", bounds_[i]) : "+Inf";
    out += fmt::format("{}_bucket{{{}le=\"{}\"}} {}\n", name, labels, bound, cumulative);
  }
  const std::string bare = labels.empty() ? "" : fmt::format("{{{}}}", labels.substr(0, labels.size() - 1));
  out += fmt::format("{}_sum{} {}\n", name, bare, static_cast<double>(sum_micro_.load()) / 1e6);
  out += fmt::format("{}_count{} {}\n", name, bare, count_.load());
}

Metrics::Metrics() : group_commands_(kGroupBounds), group_events_(kGroupBounds), write_seconds_(kLatencyBounds) {}
Metrics::~Metrics() = default;

void Metrics::request_done(std::string_view route, int status, std::chrono::microseconds duration) {
  RouteStats* stats = nullptr;
  {
    std::lock_guard lock(mutex_);
    ++requests_[{std::string(route), status}];
    auto it = routes_.find(route);
    if (it == routes_.end()) it = routes_.emplace(std::string(route), std::make_unique<RouteStats>()).first;
    stats = it->second.get();  // never removed: safe to use after the lock
  }
  stats->latency.observe(static_cast<double>(duration.count()) / 1e6);
}

void Metrics::rejection(std::string_view code) {
  std::lock_guard lock(mutex_);
  auto it = rejections_.find(code);
  if (it == rejections_.end()) it = rejections_.emplace(std::string(code), 0).first;
  ++it->second;
}

void Metrics::group_written(std::size_t commands, std::size_t events, std::chrono::microseconds write_time) {
  group_commands_.observe(static_cast<double>(commands));
  group_events_.observe(static_cast<double>(events));
  write_seconds_.observe(static_cast<double>(write_time.count()) / 1e6);
}

std::string Metrics::render(const ledger::Ledger& ledger) const {
  std::string out;
  out.reserve(16 * 1024);
  std::lock_guard lock(mutex_);
  out += "# HELP orgledger_http_requests_total HTTP requests answered, by route and status.\n";
  out += "# TYPE orgledger_http_requests_total counter\n";
  for (const auto& [key, count] : requests_) {
    out +=
        fmt::format("orgledger_http_requests_total{{route=\"{}\",status=\"{}\"}} {}\n", key.first, key.second, count);
  }
  out += "# HELP orgledger_http_request_duration_seconds Time from a request's last byte to its answer.\n";
  out += "# TYPE orgledger_http_request_duration_seconds histogram\n";
  for (const auto& [route, stats] : routes_) {
    stats->latency.render(out, "orgledger_http_request_duration_seconds", fmt::format("route=\"{}\",", route));
  }
  out += "# HELP orgledger_command_rejections_total Commands refused, by API.md code.\n";
  out += "# TYPE orgledger_command_rejections_total counter\n";
  for (const auto& [code, count] : rejections_) {
    out += fmt::format("orgledger_command_rejections_total{{code=\"{}\"}} {}\n", code, count);
  }
  out += "# HELP orgledger_group_commit_commands Commands per group commit (one fsync each).\n";
  out += "# TYPE orgledger_group_commit_commands histogram\n";
  group_commands_.render(out, "orgledger_group_commit_commands", "");
  out += "# HELP orgledger_group_commit_events Events per group commit.\n";
  out += "# TYPE orgledger_group_commit_events histogram\n";
  group_events_.render(out, "orgledger_group_commit_events", "");
  out += "# HELP orgledger_fsync_seconds Time of each group's synced RocksDB write.\n";
  out += "# TYPE orgledger_fsync_seconds histogram\n";
  write_seconds_.render(out, "orgledger_fsync_seconds", "");
  out += "# HELP orgledger_head_position Position of the last durable event.\n";
  out += "# TYPE orgledger_head_position gauge\n";
  out += fmt::format("orgledger_head_position {}\n", ledger.head().position);
  const auto store = ledger::StoreStats(ledger).memory();
  out += "# HELP orgledger_store_memory_bytes The store's memory by kind, RocksDB's estimates (store_stats.h).\n";
  out += "# TYPE orgledger_store_memory_bytes gauge\n";
  out += fmt::format("orgledger_store_memory_bytes{{kind=\"memtables\"}} {}\n", store.memtables);
  out += fmt::format("orgledger_store_memory_bytes{{kind=\"table_readers\"}} {}\n", store.table_readers);
  out += fmt::format("orgledger_store_memory_bytes{{kind=\"block_cache\"}} {}\n", store.block_cache);
  out += "# HELP orgledger_store_memory_limit_bytes The store's memory bounds: block cache capacity, memtable budget.\n";
  out += "# TYPE orgledger_store_memory_limit_bytes gauge\n";
  out += fmt::format("orgledger_store_memory_limit_bytes{{kind=\"block_cache\"}} {}\n", store.block_cache_capacity);
  out += fmt::format("orgledger_store_memory_limit_bytes{{kind=\"memtables\"}} {}\n", store.memtable_budget);
  out += "# HELP orgledger_store_table_files Live table files of the store, every family.\n";
  out += "# TYPE orgledger_store_table_files gauge\n";
  out += fmt::format("orgledger_store_table_files {}\n", store.table_files);
  // The allocator's own account (glibc, every arena): what the process holds live, and what it
  // holds free inside its heaps. Beside VmRSS it tells a leak (in_use grows) from fragmentation
  // (free grows); the soak samples both.
  const auto heap = mallinfo2();
  out += "# HELP orgledger_heap_bytes The C allocator's heap: bytes in use (mmapped chunks included), bytes free in its arenas.\n";
  out += "# TYPE orgledger_heap_bytes gauge\n";
  out += fmt::format("orgledger_heap_bytes{{kind=\"in_use\"}} {}\n", heap.uordblks + heap.hblkhd);
  out += fmt::format("orgledger_heap_bytes{{kind=\"free\"}} {}\n", heap.fordblks);
  out += "# HELP orgledger_sse_subscribers Open event subscriptions.\n";
  out += "# TYPE orgledger_sse_subscribers gauge\n";
  out += fmt::format("orgledger_sse_subscribers {}\n", subscribers_.load());
  out += "# HELP orgledger_http_connections Open HTTP connections.\n";
  out += "# TYPE orgledger_http_connections gauge\n";
  out += fmt::format("orgledger_http_connections {}\n", connections_.load());
  out += "# HELP orgledger_costly_cancelled_total Whole-state requests stopped or skipped: their client left.\n";
  out += "# TYPE orgledger_costly_cancelled_total counter\n";
  out += fmt::format("orgledger_costly_cancelled_total {}\n", costly_cancelled_.load());
  out += "# HELP orgledger_costly_refused_total Whole-state requests refused: token_busy (429), full (503).\n";
  out += "# TYPE orgledger_costly_refused_total counter\n";
  out += fmt::format("orgledger_costly_refused_total{{reason=\"token_busy\"}} {}\n", costly_token_busy_.load());
  out += fmt::format("orgledger_costly_refused_total{{reason=\"full\"}} {}\n", costly_full_.load());
  out += "# HELP orgledger_as_of_cache_hits_total Global as-of questions answered from the cache.\n";
  out += "# TYPE orgledger_as_of_cache_hits_total counter\n";
  out += fmt::format("orgledger_as_of_cache_hits_total {}\n", as_of_cache_hits_.load());
  out += "# HELP orgledger_connections_refused_total Connections closed at the door, by reason.\n";
  out += "# TYPE orgledger_connections_refused_total counter\n";
  out += fmt::format("orgledger_connections_refused_total{{reason=\"per_address\"}} {}\n", refused_per_address_.load());
  out += fmt::format("orgledger_connections_refused_total{{reason=\"full\"}} {}\n", refused_full_.load());
  out += "# HELP orgledger_connections_evicted_total Unauthenticated connections closed to keep the reserve.\n";
  out += "# TYPE orgledger_connections_evicted_total counter\n";
  out += fmt::format("orgledger_connections_evicted_total {}\n", evicted_.load());
  out += "# HELP orgledger_writable Whether the log takes appends (0 after a failed write: fail-stop).\n";
  out += "# TYPE orgledger_writable gauge\n";
  out += fmt::format("orgledger_writable {}\n", ledger.failure() ? 0 : 1);
  return out;
}

}  // namespace orgledger::api
