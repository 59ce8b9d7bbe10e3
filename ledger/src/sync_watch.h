// Every sync the store asks of the file system passes here (files and directories alike), and the
// first one that fails is remembered. RocksDB answers a failed sync of its write-ahead log as a
// failed write, but not every sync is on the path of a write (a flush's table or directory fsync
// runs in the background): the writer asks sync_failure() after each write, so that any failed
// sync fail-stops the ledger (issue 11: an fsync error on any file or directory fail-stops it).
#pragma once

#include <rocksdb/file_system.h>

#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace orgledger::ledger {

class SyncWatch : public rocksdb::FileSystemWrapper {
 public:
  explicit SyncWatch(const std::shared_ptr<rocksdb::FileSystem>& base) : FileSystemWrapper(base) {}
  const char* Name() const override { return "OrgledgerSyncWatch"; }

  // The first failed sync ("what: RocksDB's words"), nullopt while none failed. Thread-safe.
  std::optional<std::string> sync_failure() const;
  void note_failure(const std::string& what, const rocksdb::IOStatus& status);

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* file,
                                       rocksdb::IODebugContext* debug) override;
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* directory,
                                 rocksdb::IODebugContext* debug) override;

 private:
  mutable std::mutex mutex_;
  std::optional<std::string> failure_;
};

}  // namespace orgledger::ledger
