// Write-side workloads: durable appends from many submitters, single-append latency, and filling
// a store quickly for the read side.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "orgledger/ledger/ledger.h"

namespace orgledger::bench {

struct ThroughputRun {
  std::size_t events = 0;
  double seconds = 0;
  double events_per_second() const { return seconds > 0 ? static_cast<double>(events) / seconds : 0; }
};

// `submitters` threads each call Ledger::append (one event per command) in a loop for about
// `seconds`, on a fresh store under `parent`. The clock runs from the common start until the last
// submitter has its answer, so every counted event is durable inside the measured time.
ThroughputRun measure_throughput(const std::string& parent, int submitters, double seconds);

// As measure_throughput, but the `submitters` are asynchronous clients, as the HTTP server's
// connections will be: each keeps one command in flight with append_async and submits its next one
// from the completion of the previous (no thread per client, so no context switch per command).
// `options` open the fresh store (bench/tree_bench compares with and without the Merkle tree).
ThroughputRun measure_async_throughput(const std::string& parent, int submitters, double seconds,
                                       const ledger::LedgerOptions& options = {});

// The duration in µs of each of `appends` blocking appends by one submitter on a fresh store,
// after a short warm-up. Encoding the command is outside the timed span: it is the caller's work.
std::vector<double> measure_latency(const std::string& parent, std::size_t appends);

// Appends `events` events with append_async, `events_per_command` per command, keeping a bounded
// number of commands in flight; returns when all are durable. Seconds taken.
double fill(ledger::Ledger& ledger, std::size_t events, std::size_t events_per_command);

}  // namespace orgledger::bench
