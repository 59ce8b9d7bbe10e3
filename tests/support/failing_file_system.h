// A RocksDB file system for fault injection (the LevelDB-style Env seam the ledger takes): the real
// one, except that writes and syncs of the write-ahead log fail while `failing` is set.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <memory>
#include <string>

namespace orgledger::testing {

// The real file system, except that writes to the write-ahead log fail once `failing` is set —
// what a full or dying disk looks like to RocksDB.
class FailingWalFileSystem : public rocksdb::FileSystemWrapper {
 public:
  FailingWalFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FailingWalFileSystem"; }
  std::atomic<bool> failing{false};
  // With `failing`: the log's bytes are still written, only their fsync fails (the batch may then
  // be on disk although the write was reported failed).
  std::atomic<bool> syncs_only{false};

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    auto status = FileSystemWrapper::NewWritableFile(name, options, file, debug);
    if (status.ok() && name.ends_with(".log")) *file = std::make_unique<WalFile>(std::move(*file), failing, syncs_only);
    return status;
  }

 private:
  class WalFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    WalFile(std::unique_ptr<rocksdb::FSWritableFile> file, const std::atomic<bool>& failing,
            const std::atomic<bool>& syncs_only)
        : FSWritableFileOwnerWrapper(std::move(file)), failing_(failing), syncs_only_(syncs_only) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      if (failing_ && !syncs_only_) return rocksdb::IOStatus::IOError("injected: disk gone");
      return FSWritableFileOwnerWrapper::Append(data, options, debug);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* debug) override {
      if (failing_ && !syncs_only_) return rocksdb::IOStatus::IOError("injected: disk gone");
      return FSWritableFileOwnerWrapper::Append(data, options, info, debug);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
      if (failing_) return rocksdb::IOStatus::IOError("injected: fsync failed");
      return FSWritableFileOwnerWrapper::Sync(options, debug);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
      if (failing_) return rocksdb::IOStatus::IOError("injected: fsync failed");
      return FSWritableFileOwnerWrapper::Fsync(options, debug);
    }

   private:
    const std::atomic<bool>& failing_;
    const std::atomic<bool>& syncs_only_;
  };
};


}  // namespace orgledger::testing
