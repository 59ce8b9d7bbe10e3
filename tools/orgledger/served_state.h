// What `orgledger serve` decides commands with — the command processor, its periodic snapshots and
// its scheduler (S6, A5) — rebuilt on a thread of its own while the server already answers what
// the log alone can (issue 15: start-up serves first). The server is handed the processor once the
// state is rebuilt; until then it answers commands with 503 unavailable and Retry-After.
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

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
};

class ServedState {
 public:
  // Starts the rebuild. `failed` runs on the rebuild's thread when it fails (the error is then in
  // failure()); it must be quick. Every part must outlive this object.
  ServedState(ServedStateParts parts, std::function<void()> failed);
  // Waits for the rebuild, stops the scheduler and the snapshots, stores a snapshot of the final
  // state (the next start folds nothing), then waits for the commands in flight.
  ~ServedState();

  // Why the rebuild failed; nullopt while it runs or once it succeeded. After `failed` ran.
  std::optional<ledger::Error> failure() const;

 private:
  void rebuild();

  ServedStateParts parts_;
  std::function<void()> failed_;
  // Written by the rebuild's thread, read once it is joined (or, for failure_, after failed_).
  std::unique_ptr<commands::CommandProcessor> processor_;
  std::optional<projections::Snapshotter> snapshotter_;
  std::optional<commands::Scheduler> scheduler_;
  mutable std::mutex failure_mutex_;
  std::optional<ledger::Error> failure_;
  std::thread thread_;  // last: started once everything above is made
};

}  // namespace orgledger::tools
