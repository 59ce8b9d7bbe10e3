// The scheduler: puts on record, as svc:scheduler, each support grant's expiry (S6), each abuse
// stage that passed its due undone (A5), each first renewal payment attempt (B2), each identity
// case's purge (K4) and each blocked order's cancellation (K5) — exactly once, also across restarts
// and when the process was down at the instant: every due item not yet on record is recorded at
// the next run, under a command id derived from the item, so a repeat is a duplicate. It finds
// them in a deadline index (deadline_index.h) kept up to date from the published versions.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <optional>
#include <thread>

#include "orgledger/commands/deadline_index.h"
#include "orgledger/commands/processor.h"
#include "orgledger/projections/business_calendar.h"

namespace orgledger::commands {

class Scheduler {
 public:
  Scheduler(CommandProcessor& processor, const ledger::Clock& clock,
            const projections::BusinessCalendar& calendar = projections::BusinessCalendar::geneva())
      : processor_(processor), clock_(clock), index_(calendar) {}
  ~Scheduler() { stop(); }

  // Records everything due at the clock's now and not yet on record; returns how many were
  // recorded. Waits for their answers.
  std::size_t run_once();
  // The next instant after `now` at which something becomes due, if any is known.
  std::optional<ledger::Micros> next_due(ledger::Micros now);

  // A background thread running run_once at every due instant, and at least every second (so
  // that what new events make due is seen). stop() ends it; both are idempotent.
  void start();
  void stop();

 private:
  CommandProcessor& processor_;
  const ledger::Clock& clock_;
  std::mutex index_mutex_;
  DeadlineIndex index_;  // under index_mutex_
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace orgledger::commands
