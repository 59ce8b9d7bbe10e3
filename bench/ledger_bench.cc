// ledger_bench: the ledger's durable append throughput, single-append latency and read/verify
// rates (issue 2). Prints a human table and, for scripts, one `metric NAME VALUE UNIT` line per
// figure on stdout; progress goes to stderr. See run_ledger_bench.sh and RESULTS.md.
#include <cstdio>
#include <string>
#include <vector>

#include "append_workloads.h"
#include "bench_options.h"
#include "bench_support.h"
#include "metrics.h"
#include "read_workloads.h"

namespace orgledger::bench {
namespace {

constexpr std::size_t kReadChunk = 10'000;
// Events outside this range would not be the events the targets were set for (issue 2).
constexpr double kMinEnvelopeBytes = 150;
constexpr double kMaxEnvelopeBytes = 300;

void throughput_section(const BenchOptions& options, std::vector<Metric>& metrics) {
  for (int submitters : options.submitters) {
    std::vector<double> runs;
    for (int run = 0; run < options.runs; ++run) {
      std::fprintf(stderr, "throughput: %d submitter(s), run %d/%d\n", submitters, run + 1, options.runs);
      runs.push_back(measure_throughput(options.dir, submitters, options.seconds).events_per_second());
    }
    const std::string count = std::to_string(submitters);
    add_median(metrics, "append_throughput_" + count, "durable appends, " + count + " submitter(s)", std::move(runs),
               "events/s");
    std::vector<double> async_runs;
    for (int run = 0; run < options.runs; ++run) {
      std::fprintf(stderr, "throughput: %d async client(s), run %d/%d\n", submitters, run + 1, options.runs);
      async_runs.push_back(measure_async_throughput(options.dir, submitters, options.seconds).events_per_second());
    }
    add_median(metrics, "async_append_throughput_" + count, "durable appends, " + count + " async client(s)",
               std::move(async_runs), "events/s");
  }
}

void latency_section(const BenchOptions& options, std::vector<Metric>& metrics) {
  std::vector<double> p50;
  std::vector<double> p99;
  for (int run = 0; run < options.runs; ++run) {
    std::fprintf(stderr, "latency: %zu appends, run %d/%d\n", options.latency_appends, run + 1, options.runs);
    const auto micros = measure_latency(options.dir, options.latency_appends);
    p50.push_back(quantile(micros, 0.50));
    p99.push_back(quantile(micros, 0.99));
  }
  add_median(metrics, "append_latency_p50", "single append latency p50 (1 submitter)", std::move(p50), "us");
  add_median(metrics, "append_latency_p99", "single append latency p99 (1 submitter)", std::move(p99), "us");
}

void check_event_size(double envelope_bytes_mean) {
  if (envelope_bytes_mean < kMinEnvelopeBytes || envelope_bytes_mean > kMaxEnvelopeBytes) {
    throw BenchFailure("mean envelope size " + std::to_string(envelope_bytes_mean) + " bytes is outside " +
                       std::to_string(kMinEnvelopeBytes) + ".." + std::to_string(kMaxEnvelopeBytes));
  }
}

void read_section(const BenchOptions& options, std::vector<Metric>& metrics) {
  TempDir directory(options.dir);
  {
    std::fprintf(stderr, "read: filling %zu events, %zu per command\n", options.fill_events,
                 options.events_per_fill_command);
    auto ledger = value_or_fail(ledger::Ledger::open(directory.path()), "open " + directory.path());
    const double seconds = fill(*ledger, options.fill_events, options.events_per_fill_command);
    const double rate = static_cast<double>(options.fill_events) / seconds;
    add_median(metrics, "fill_throughput",
               "fill, append_async, " + std::to_string(options.events_per_fill_command) + " events/command", {rate},
               "events/s");
  }  // closed: verify and the sweep read a quiet store, as `orgledger verify` usually would

  std::vector<double> verify_runs;
  for (int run = 0; run < options.runs; ++run) {
    std::fprintf(stderr, "read: verify_ledger, run %d/%d\n", run + 1, options.runs);
    verify_runs.push_back(measure_verify(directory.path(), options.fill_events).events_per_second());
  }
  add_median(metrics, "verify_rate", "verify_ledger (whole log, open included)", std::move(verify_runs), "events/s");

  // Timed apart because opening replays whatever of the log RocksDB still holds only in its WAL,
  // which verify_ledger pays on every run.
  const Stopwatch opening;
  auto reader = value_or_fail(ledger::Ledger::open(directory.path(), {.mode = ledger::OpenMode::read_only}),
                              "open read-only " + directory.path());
  metrics.push_back({"read_only_open", "Ledger::open read-only (filled store)", opening.micros() / 1000, "ms", {}});
  std::vector<double> read_runs;
  SweepRun last;
  for (int run = 0; run < options.runs; ++run) {
    std::fprintf(stderr, "read: Ledger::read sweep, run %d/%d\n", run + 1, options.runs);
    last = measure_sweep(*reader, kReadChunk);
    read_runs.push_back(last.read.events_per_second());
  }
  add_median(metrics, "read_rate", "Ledger::read sweep, chunks of 10000", std::move(read_runs), "events/s");
  metrics.push_back({"envelope_bytes_mean", "mean envelope size", last.envelope_bytes_mean, "bytes", {}});
  metrics.push_back({"stored_bytes_mean", "mean stored value (hash + envelope)", last.stored_bytes_mean, "bytes", {}});
  metrics.push_back(
      {"read_events", "events in the read/verify store", static_cast<double>(last.read.events), "events", {}});
  check_event_size(last.envelope_bytes_mean);
}

int run(const BenchOptions& options) {
  std::printf("ledger_bench: dir=%s runs=%d seconds=%.1f\n", options.dir.c_str(), options.runs, options.seconds);
  std::vector<Metric> metrics;
  if (wants(options, Section::throughput)) throughput_section(options, metrics);
  if (wants(options, Section::latency)) latency_section(options, metrics);
  if (wants(options, Section::read)) read_section(options, metrics);
  print_table(metrics);
  return 0;
}

}  // namespace
}  // namespace orgledger::bench

int main(int argc, char** argv) {
  using namespace orgledger::bench;
  return bench_main("ledger_bench", parse_options(argc, argv), [](const auto& options) { return run(options); });
}
