// Keeps RocksDB from recovering on its own after a background error. The ledger fail-stops at the
// first failed write or sync (sync_watch.h) and writes nothing more until a restart, so RocksDB's
// automatic resume (after ENOSPC, or a retryable I/O error) has nothing to save, and it does harm:
// it flushes the column families one by one, each with its own MANIFEST record, on the disk that
// just failed. When a write's WAL record reached the file but not the memtables (its sync failed)
// and the resume stops half-way, the next open replays that record into the families not yet
// flushed and not into the others: the recorded head named an event that was not there (found by
// the fault workload: tests/commands/fault_workload_test.cc, and its regression test). Without the
// resume, the next open replays the record into every family or, when it never reached the disk,
// into none: one write batch stays whole across families.
#pragma once

#include <rocksdb/listener.h>

namespace orgledger::ledger {

class FailStopListener final : public rocksdb::EventListener {
 public:
  const char* Name() const override { return "OrgledgerFailStop"; }
  // Declines every automatic recovery: the store stays stopped until it is closed and reopened.
  void OnErrorRecoveryBegin(rocksdb::BackgroundErrorReason reason, rocksdb::Status error, bool* auto_recovery) override;
};

}  // namespace orgledger::ledger
