// What `orgledger serve` decides commands with — the command processor, its periodic snapshots and
// its scheduler (S6, A5) — rebuilt while the server already answers what the log alone can (issue
// 15: start-up serves first). The server is handed the processor once the state is rebuilt; until
// then it answers commands with 503 unavailable and Retry-After.
#pragma once

#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "orgledger/api/server.h"
#include "orgledger/commands/processor.h"
#include "orgledger/commands/scheduler.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/projections/snapshotter.h"

namespace orgledger::tools {

struct ServedStateParts {
  ledger::Ledger& ledger;
  const ledger::Clock& clock;
  const projections::BusinessCalendar& calendar;
  vault::Vault& vault;
  api::Server& server;
  ledger::Position snapshot_every = 0;       // 0: only the snapshot at shutdown
  std::optional<std::size_t> keep_versions;  // serve --keep-versions
  std::function<void(const std::string&)> note;
  // Issue 18: a cluster's replica schedules nothing (its commands would go to the writer); the
  // scheduler starts once start_scheduler() says this node became the writer.
  bool schedule_at_once = true;
  // Issue 18: G2 on every node — the destroyed keys purged from the cluster before the answer.
  commands::CommandProcessor::ForgetShared forget_shared;
};

class ServedState {
 public:
  // Every part must outlive this object.
  explicit ServedState(ServedStateParts parts) : parts_(std::move(parts)) {}
  // Stops the scheduler and the snapshots, stores a snapshot of the final state (the next start
  // folds nothing), then waits for the commands in flight.
  ~ServedState();

  // Rebuilds the state (from the newest snapshot and the events after it), starts the snapshots
  // and the scheduler, and hands the processor to the server. Call it from the process's main
  // thread: glibc grows the main thread's heap with brk, another thread's page by page with
  // mprotect, which made a rebuild of a 5 GiB state twice as slow. Errors: CommandProcessor::start's.
  std::expected<void, ledger::Error> rebuild();

  // Starts the scheduler now, or at the end of rebuild() when it is still running. Thread-safe.
  void start_scheduler();
  // A replica's G2 (issue 18): keys the log says are destroyed are destroyed here too, once the
  // state is rebuilt (its rebuild does the same for what came before). Thread-safe. Returns the
  // position through which that is done; nullopt before the rebuild, or when a destruction failed.
  std::optional<ledger::Position> shred_what_the_log_forgot();

 private:
  ServedStateParts parts_;
  std::unique_ptr<commands::CommandProcessor> processor_;
  std::optional<projections::Snapshotter> snapshotter_;
  std::optional<commands::Scheduler> scheduler_;  // under scheduler_mutex_
  std::mutex scheduler_mutex_;
  bool schedule_ = false;  // under scheduler_mutex_: start_scheduler() was called
};

}  // namespace orgledger::tools
