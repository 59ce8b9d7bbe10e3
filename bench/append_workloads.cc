#include "append_workloads.h"

#include <atomic>
#include <condition_variable>
#include <latch>
#include <mutex>
#include <thread>

#include "bench_support.h"
#include "in_flight.h"

namespace orgledger::bench {
namespace {

constexpr std::size_t kLatencyWarmup = 100;  // first appends pay for memtable and WAL creation
// Enough commands in flight that the writer always finds a full group waiting, few enough that
// drafts do not pile up in memory faster than they are written.
constexpr std::size_t kFillInFlight = 64;
constexpr int kFillStreams = 256;

std::unique_ptr<ledger::Ledger> open_fresh(const std::string& directory, const ledger::LedgerOptions& options = {}) {
  return value_or_fail(ledger::Ledger::open(directory, options), "open " + directory);
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

// Closed-loop asynchronous clients: each client's completion submits its next command until
// stopped. Completions run on the ledger's completion thread, which is where a server's handlers
// would resume too.
class AsyncClients {
 public:
  AsyncClients(ledger::Ledger& ledger, int clients) : ledger_(ledger), appended_(static_cast<std::size_t>(clients)) {}

  void start() {
    for (int client = 0; client < static_cast<int>(appended_.size()); ++client) submit(client);
  }
  // Stops submitting and waits until no command is in flight; returns the events appended.
  std::size_t stop_and_drain() {
    stop_.store(true);
    std::unique_lock lock(mutex_);
    idle_.wait(lock, [this] { return in_flight_ == 0; });
    std::size_t total = 0;
    for (std::size_t count : appended_) total += count;
    return total;
  }

 private:
  void submit(int client) {
    {
      std::lock_guard lock(mutex_);
      ++in_flight_;
    }
    auto& appended = appended_[static_cast<std::size_t>(client)];
    auto command = member_added_command(command_id(client, appended), thread_stream(client), 1);
    ledger_.append_async(std::move(command), [this, client](std::expected<ledger::CommandAnswer, ledger::Error> outcome) {
      value_or_fail(std::move(outcome), "append_async");
      ++appended_[static_cast<std::size_t>(client)];
      if (!stop_.load(std::memory_order_relaxed)) submit(client);
      std::lock_guard lock(mutex_);
      if (--in_flight_ == 0) idle_.notify_all();
    });
  }

  ledger::Ledger& ledger_;
  std::vector<std::size_t> appended_;  // touched only by the client's own (serialized) completions
  std::atomic<bool> stop_{false};
  std::mutex mutex_;
  std::condition_variable idle_;
  std::size_t in_flight_ = 0;
};

}  // namespace

ThroughputRun measure_async_throughput(const std::string& parent, int submitters, double seconds,
                                       const ledger::LedgerOptions& options) {
  TempDir directory(parent);
  auto ledger = open_fresh(directory.path(), options);
  AsyncClients clients(*ledger, submitters);
  const Stopwatch elapsed;
  clients.start();
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));
  const std::size_t events = clients.stop_and_drain();
  return ThroughputRun{.events = events, .seconds = elapsed.seconds()};
}

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
  BoundedAppender appender(ledger, kFillInFlight);
  const Stopwatch elapsed;
  std::size_t sequence = 0;
  for (std::size_t written = 0; written < events; written += events_per_command, ++sequence) {
    const int thread = static_cast<int>(sequence % kFillStreams);
    appender.append(member_added_command(command_id(thread, sequence), thread_stream(thread),
                                         std::min(events_per_command, events - written)));
  }
  appender.drain("fill append");
  return elapsed.seconds();
}

}  // namespace orgledger::bench
