#include "append_workloads.h"

#include <atomic>
#include <latch>
#include <mutex>
#include <optional>
#include <semaphore>
#include <thread>

#include "bench_support.h"

namespace orgledger::bench {
namespace {

constexpr std::size_t kLatencyWarmup = 100;  // first appends pay for memtable and WAL creation
// Enough commands in flight that the writer always finds a full group waiting, few enough that
// drafts do not pile up in memory faster than they are written.
constexpr std::ptrdiff_t kFillInFlight = 64;
constexpr int kFillStreams = 256;

std::unique_ptr<ledger::Ledger> open_fresh(const std::string& directory) {
  return value_or_fail(ledger::Ledger::open(directory), "open " + directory);
}

// One submitter of measure_throughput: appends until told to stop and returns how many events.
std::size_t submit_until_stopped(ledger::Ledger& ledger, int thread, std::latch& start, const std::atomic<bool>& stop) {
  const std::string stream = thread_stream(thread);
  std::size_t appended = 0;
  start.wait();
  while (!stop.load(std::memory_order_relaxed)) {
    value_or_fail(ledger.append(member_added_command(command_id(thread, appended), stream, 1)), "append");
    ++appended;
  }
  return appended;
}

// Collects append_async outcomes on the writer thread, keeping the first error.
class FillOutcomes {
 public:
  void record(const std::expected<ledger::CommandAnswer, ledger::Error>& outcome) {
    if (outcome) return;
    std::lock_guard lock(mutex_);
    if (!first_error_) first_error_ = outcome.error();
  }
  void throw_if_failed() const {
    std::lock_guard lock(mutex_);
    if (first_error_) fail("fill append", *first_error_);
  }

 private:
  mutable std::mutex mutex_;
  std::optional<ledger::Error> first_error_;
};

}  // namespace

ThroughputRun measure_throughput(const std::string& parent, int submitters, double seconds) {
  TempDir directory(parent);
  auto ledger = open_fresh(directory.path());
  std::latch start(1);
  std::atomic<bool> stop{false};
  std::vector<std::size_t> appended(static_cast<std::size_t>(submitters), 0);
  std::vector<std::jthread> threads;
  threads.reserve(appended.size());
  for (int thread = 0; thread < submitters; ++thread) {
    threads.emplace_back([&, thread] {
      appended[static_cast<std::size_t>(thread)] = submit_until_stopped(*ledger, thread, start, stop);
    });
  }

  const Stopwatch elapsed;
  start.count_down();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  stop.store(true);
  threads.clear();  // joins: every counted append has been answered
  ThroughputRun run{.events = 0, .seconds = elapsed.seconds()};
  for (std::size_t count : appended) run.events += count;
  return run;
}

std::vector<double> measure_latency(const std::string& parent, std::size_t appends) {
  TempDir directory(parent);
  auto ledger = open_fresh(directory.path());
  const std::string stream = thread_stream(0);
  std::vector<double> micros;
  micros.reserve(appends);
  for (std::size_t i = 0; i < kLatencyWarmup + appends; ++i) {
    auto command = member_added_command(command_id(0, i), stream, 1);
    const Stopwatch elapsed;
    value_or_fail(ledger->append(std::move(command)), "append");
    if (i >= kLatencyWarmup) micros.push_back(elapsed.micros());
  }
  return micros;
}

double fill(ledger::Ledger& ledger, std::size_t events, std::size_t events_per_command) {
  std::counting_semaphore<kFillInFlight> in_flight(kFillInFlight);
  FillOutcomes outcomes;
  const Stopwatch elapsed;
  std::size_t sequence = 0;
  for (std::size_t written = 0; written < events; written += events_per_command, ++sequence) {
    const int thread = static_cast<int>(sequence % kFillStreams);
    auto command = member_added_command(command_id(thread, sequence), thread_stream(thread),
                                        std::min(events_per_command, events - written));
    in_flight.acquire();
    ledger.append_async(std::move(command), [&](std::expected<ledger::CommandAnswer, ledger::Error> outcome) {
      outcomes.record(outcome);
      in_flight.release();
    });
  }
  // Holding every permit means no command is still in flight: all are durable (or failed).
  for (std::ptrdiff_t i = 0; i < kFillInFlight; ++i) in_flight.acquire();
  const double seconds = elapsed.seconds();
  outcomes.throw_if_failed();
  return seconds;
}

}  // namespace orgledger::bench
