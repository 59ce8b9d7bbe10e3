// A RocksDB file system whose write-ahead log syncs can be held at a gate: the way to catch the
// pipelined writer with one group in its fsync, and see what it does with the next one meanwhile.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

namespace orgledger::testing {

class GatedWalFileSystem : public rocksdb::FileSystemWrapper {
 public:
  GatedWalFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "GatedWalFileSystem"; }

  // From now on, a WAL sync waits at the gate until release().
  void hold() {
    std::lock_guard lock(mutex_);
    held_ = true;
  }
  // Opens the gate; the syncs waiting there fail (an EIO from the device) when `fail` is set.
  void release(bool fail = false) {
    {
      std::lock_guard lock(mutex_);
      held_ = false;
      fail_released_ = fail;
    }
    changed_.notify_all();
  }
  // Waits until a sync is waiting at the gate (false after `timeout`).
  bool wait_for_held_sync(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, timeout, [this] { return waiting_ > 0; });
  }
  bool sync_waiting() {
    std::lock_guard lock(mutex_);
    return waiting_ > 0;
  }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    auto status = FileSystemWrapper::NewWritableFile(name, options, file, debug);
    if (status.ok() && name.ends_with(".log")) *file = std::make_unique<WalFile>(std::move(*file), *this);
    return status;
  }

 private:
  // Waits at the gate; the status the sync should give instead of its own, if any.
  bool pass_gate() {
    std::unique_lock lock(mutex_);
    if (!held_) return !fail_released_;
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return !held_; });
    --waiting_;
    return !fail_released_;
  }

  class WalFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    WalFile(std::unique_ptr<rocksdb::FSWritableFile> file, GatedWalFileSystem& fs)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
      if (!fs_.pass_gate()) return rocksdb::IOStatus::IOError("injected: fsync failed");
      return FSWritableFileOwnerWrapper::Sync(options, debug);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
      if (!fs_.pass_gate()) return rocksdb::IOStatus::IOError("injected: fsync failed");
      return FSWritableFileOwnerWrapper::Fsync(options, debug);
    }

   private:
    GatedWalFileSystem& fs_;
  };

  std::mutex mutex_;
  std::condition_variable changed_;
  bool held_ = false;
  bool fail_released_ = false;
  int waiting_ = 0;
};

// Opens the gate when it goes out of scope: declared after the ledger, it lets a failed check
// close the ledger (whose syncer may wait at the gate) instead of hanging the test.
class GateOpener {
 public:
  explicit GateOpener(GatedWalFileSystem& gate) : gate_(gate) {}
  ~GateOpener() { gate_.release(); }
  GateOpener(const GateOpener&) = delete;
  GateOpener& operator=(const GateOpener&) = delete;

 private:
  GatedWalFileSystem& gate_;
};

}  // namespace orgledger::testing
