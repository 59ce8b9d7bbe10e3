// Read-side workloads over a filled store: whole-log verification and a plain read sweep.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "orgledger/ledger/ledger.h"

namespace orgledger::bench {

struct ReadRun {
  std::size_t events = 0;
  double seconds = 0;
  double events_per_second() const { return seconds > 0 ? static_cast<double>(events) / seconds : 0; }
};

// Times verify_ledger(directory) (open included, as `orgledger verify` would run it) and fails
// unless the log is intact and holds `expected_events`.
ReadRun measure_verify(const std::string& directory, std::size_t expected_events);

struct SweepRun {
  ReadRun read;
  double envelope_bytes_mean = 0;  // RecordedEvent::envelope_bytes().size()
  double stored_bytes_mean = 0;    // the `events` value: hash and envelope
};

// Reads the whole log with Ledger::read in chunks of `chunk` events, from position 1 to the head.
SweepRun measure_sweep(const ledger::Ledger& ledger, std::size_t chunk);

// Reads positions 1..head in chunks of `chunk` events and hands each chunk to `consume`; fails
// unless every event was read. The time counts reading and consuming.
ReadRun read_all(const ledger::Ledger& ledger, std::size_t chunk,
                 const std::function<void(const std::vector<ledger::RecordedEvent>&)>& consume);

}  // namespace orgledger::bench
