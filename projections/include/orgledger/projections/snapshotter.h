// Takes a snapshot every N events while a server runs, without touching the live state: it keeps
// a state of its own, following the log through a subscription, and stores it whenever N more
// events have passed (at a command's end). The writer and the readers never wait for it.
#pragma once

#include <atomic>
#include <thread>

#include "orgledger/ledger/ledger.h"
#include "orgledger/projections/snapshot.h"
#include "orgledger/projections/state.h"

namespace orgledger::projections {

class Snapshotter {
 public:
  // `start` is the state at some durable position (usually a copy of the live state after start);
  // `ledger` must outlive the snapshotter. Failures to store are told to `note`; they stop
  // nothing (the log is the record; snapshots only save time).
  Snapshotter(ledger::Ledger& ledger, State start, Position every, SnapshotNote note);
  ~Snapshotter();  // stops following

 private:
  void run();
  ledger::Ledger& ledger_;
  State state_;
  Position every_;
  SnapshotNote note_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace orgledger::projections
