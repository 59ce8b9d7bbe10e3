// Takes a snapshot every N events while a server runs. It saves published versions of the live
// state (commands/processor.h: version()), which share their structure with it: no second copy,
// no fold of its own, and neither the writer nor the readers ever wait for it. It also keeps the
// stream families' snapshots (family_snapshots.h) up with the log, the missing ones of a store
// from an earlier build first.
#pragma once

#include <condition_variable>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "orgledger/ledger/ledger.h"
#include "orgledger/projections/family_snapshots.h"
#include "orgledger/projections/snapshot.h"
#include "orgledger/projections/state.h"

namespace orgledger::projections {

// The newest published version of the state; always at a command's end.
using VersionSource = std::function<std::shared_ptr<const State>()>;

class Snapshotter {
 public:
  // Looks at `latest` every `poll` and stores the version once it is `every` events past the last
  // one stored (or past the version it started from). `ledger` must outlive the snapshotter.
  // Failures to store are told to `note`; they stop nothing (the log is the record; snapshots
  // only save time).
  // `families`' snapshots are stored whenever due, between the state's.
  Snapshotter(ledger::Ledger& ledger, VersionSource latest, Position every, SnapshotNote note,
              std::chrono::milliseconds poll = std::chrono::milliseconds(200), std::vector<StreamFamily> families = {});
  ~Snapshotter();  // stops; a snapshot being written is finished first

 private:
  void run();
  // Each stores what is due, if anything; the lock is held on entry and exit, not while storing.
  void save_state(std::unique_lock<std::mutex>& lock, Position& saved);
  void extend_families(std::unique_lock<std::mutex>& lock);
  ledger::Ledger& ledger_;
  VersionSource latest_;
  Position every_;
  SnapshotNote note_;
  std::vector<StreamFamily> families_;
  std::vector<Position> family_due_;  // the head each family waits for (0: look now)
  std::chrono::milliseconds poll_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace orgledger::projections
