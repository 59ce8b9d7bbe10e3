#include "read_workloads.h"

#include "bench_support.h"
#include "orgledger/ledger/verify.h"

namespace orgledger::bench {

ReadRun measure_verify(const std::string& directory, std::size_t expected_events) {
  const Stopwatch elapsed;
  const auto report = value_or_fail(ledger::verify_ledger(directory), "verify " + directory);
  const double seconds = elapsed.seconds();
  if (!report.ok || report.checked != expected_events) {
    throw BenchFailure("verify found " + std::to_string(report.checked) + " of " + std::to_string(expected_events) +
                       " events intact: " + report.problem);
  }
  return ReadRun{.events = report.checked, .seconds = seconds};
}

ReadRun read_all(const ledger::Ledger& ledger, std::size_t chunk,
                 const std::function<void(const std::vector<ledger::RecordedEvent>&)>& consume) {
  const ledger::Position head = ledger.head().position;
  std::size_t events = 0;
  const Stopwatch elapsed;
  for (ledger::Position from = 1; from <= head; from += chunk) {
    const auto batch = value_or_fail(ledger.read(from, chunk), "read from " + std::to_string(from));
    if (batch.empty()) throw BenchFailure("read from " + std::to_string(from) + " returned nothing");
    consume(batch);
    events += batch.size();
  }
  const double seconds = elapsed.seconds();
  if (events != head) throw BenchFailure("read " + std::to_string(events) + " of " + std::to_string(head) + " events");
  return ReadRun{.events = events, .seconds = seconds};
}

SweepRun measure_sweep(const ledger::Ledger& ledger, std::size_t chunk) {
  std::size_t envelope_bytes = 0;
  std::size_t stored_bytes = 0;
  const ReadRun read = read_all(ledger, chunk, [&](const std::vector<ledger::RecordedEvent>& batch) {
    for (const auto& event : batch) {
      envelope_bytes += event.envelope_bytes().size();
      stored_bytes += event.stored().size();
    }
  });
  const double count = read.events > 0 ? static_cast<double>(read.events) : 1;
  return SweepRun{.read = read,
                  .envelope_bytes_mean = static_cast<double>(envelope_bytes) / count,
                  .stored_bytes_mean = static_cast<double>(stored_bytes) / count};
}

}  // namespace orgledger::bench
