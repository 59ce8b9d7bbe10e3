// Keeping many asynchronous operations in flight without letting them pile up: a bound on how many
// are outstanding, and an appender that uses it over Ledger::append_async.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <string>

#include "bench_support.h"
#include "orgledger/ledger/ledger.h"

namespace orgledger::bench {

// At most `limit` operations outstanding: acquire() before starting one (blocks at the limit),
// release() from its completion, on any thread.
class InFlight {
 public:
  explicit InFlight(std::size_t limit) : limit_(limit) {}
  void acquire();
  // acquire(), for a run timed by `elapsed` that stops starting operations after `max_seconds`:
  // false, holding nothing, once that time is up.
  bool acquire_within(const Stopwatch& elapsed, double max_seconds);
  void release();
  // Returns once nothing is outstanding.
  void wait_idle();

 private:
  const std::size_t limit_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t outstanding_ = 0;
};

// Appends with append_async, at most `limit` commands in flight, keeping the first error (the
// completions run on the ledger's threads).
class BoundedAppender {
 public:
  BoundedAppender(ledger::Ledger& ledger, std::size_t limit) : ledger_(ledger), in_flight_(limit) {}
  void append(ledger::CommandAppend command);
  // Waits until every append is durable; throws BenchFailure (naming `what`) if any failed.
  void drain(const std::string& what);

 private:
  ledger::Ledger& ledger_;
  InFlight in_flight_;
  std::mutex mutex_;
  std::optional<ledger::Error> first_error_;
};

}  // namespace orgledger::bench
