// snapshot_stall_bench: how long durable appends stall while a snapshot is stored (issue 15).
// 16 submitters append one event per command in a loop; after a quiet baseline, a snapshot of
// --mib MiB (incompressible chunks of 25 MiB, as a large state's would be) is stored through
// SnapshotRecords::put; the run goes on as long again. Each append's latency is kept with its
// start time, and the appends that overlap the put are reported apart from the others.
//
// Output: "metric NAME VALUE UNIT" lines. Run it at two builds to compare.
#include <algorithm>
#include <atomic>
#include <cstring>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/snapshot_records.h"

namespace orgledger::bench {
namespace {

using Steady = std::chrono::steady_clock;

struct Sample {
  Steady::time_point start;
  double micros;
};

int run(const std::string& parent, std::size_t mib, double quiet_seconds) {
  const TempDir directory(parent, "snapshot_stall");
  auto log = value_or_fail(ledger::Ledger::open(directory.path()), "open");
  std::vector<std::string> chunks;
  std::mt19937_64 random(15);
  constexpr std::size_t kChunk = 25u << 20;
  for (std::size_t left = mib << 20; left > 0; left -= std::min(left, kChunk)) {
    std::string chunk(std::min(left, kChunk), '\0');
    for (std::size_t i = 0; i + 8 <= chunk.size(); i += 8) {
      const auto word = random();
      std::memcpy(chunk.data() + i, &word, 8);
    }
    chunks.push_back(std::move(chunk));
  }
  std::atomic<bool> stop{false};
  std::vector<std::vector<Sample>> samples(16);
  std::vector<std::jthread> submitters;
  for (int thread = 0; thread < 16; ++thread) {
    submitters.emplace_back([&, thread] {
      const auto stream = thread_stream(thread);
      for (std::size_t i = 0; !stop.load(std::memory_order_relaxed); ++i) {
        auto command = member_added_command(command_id(thread, i), stream, 1);
        const auto start = Steady::now();
        value_or_fail(log->append(std::move(command)), "append");
        samples[static_cast<std::size_t>(thread)].push_back(
            {start, std::chrono::duration<double, std::micro>(Steady::now() - start).count()});
      }
    });
  }
  std::this_thread::sleep_for(std::chrono::duration<double>(quiet_seconds));
  const auto put_start = Steady::now();
  if (auto stored = ledger::SnapshotRecords(*log).put("stall", log->head().position, chunks); !stored) {
    throw BenchFailure("put: " + stored.error().message);
  }
  const auto put_end = Steady::now();
  std::this_thread::sleep_for(std::chrono::duration<double>(quiet_seconds));
  stop = true;
  submitters.clear();

  std::vector<double> during, outside;
  for (const auto& thread : samples) {
    for (const auto& sample : thread) {
      const auto end = sample.start + std::chrono::microseconds(static_cast<long>(sample.micros));
      (end >= put_start && sample.start <= put_end ? during : outside).push_back(sample.micros);
    }
  }
  auto metric = [](const char* name, double value, const char* unit) { std::printf("metric %s %.1f %s\n", name, value, unit); };
  metric("snapshot_mib", static_cast<double>(mib), "MiB");
  metric("put_ms", std::chrono::duration<double, std::milli>(put_end - put_start).count(), "ms");
  metric("appends_outside", static_cast<double>(outside.size()), "appends");
  metric("outside_p50", quantile(outside, 0.5), "us");
  metric("outside_p99", quantile(outside, 0.99), "us");
  metric("appends_during", static_cast<double>(during.size()), "appends");
  metric("during_p50", quantile(during, 0.5), "us");
  metric("during_p99", quantile(during, 0.99), "us");
  metric("during_max", during.empty() ? 0 : *std::max_element(during.begin(), during.end()), "us");
  metric("outside_max", outside.empty() ? 0 : *std::max_element(outside.begin(), outside.end()), "us");
  return 0;
}

}  // namespace
}  // namespace orgledger::bench

int main(int argc, char** argv) {
  const std::string parent = argc > 1 ? argv[1] : "/tmp";
  const std::size_t mib = argc > 2 ? std::stoull(argv[2]) : 256;
  const double quiet = argc > 3 ? std::stod(argv[3]) : 2.0;
  try {
    return orgledger::bench::run(parent, mib, quiet);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "snapshot_stall_bench: %s\n", failure.what());
    return 1;
  }
}
