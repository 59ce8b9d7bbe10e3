// Every sync the store asks of the file system passes here (files and directories alike), and the
// first one that fails is remembered. RocksDB answers a failed sync of its write-ahead log as a
// failed write, but not every sync is on the path of a write (a flush's table or directory fsync
// runs in the background): the writer asks sync_failure() after each write, so that any failed
// sync fail-stops the ledger (issue 11: an fsync error on any file or directory fail-stops it).
// Failed writes (appends) are remembered too.
//
// Once anything failed, no file of the store is deleted any more (a delete is answered done and
// the file left; the next open's scan removes what no version names). Debian's RocksDB 7.8 deletes
// the table of a flush or an ingestion whose MANIFEST record failed to sync, but the record may be
// on disk all the same: the store would then name a missing file and not open again (found by the
// fault workload, tests/commands/fault_workload_test.cc; RocksDB 8 keeps such files itself).
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
  rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override;

 private:
  mutable std::mutex mutex_;
  std::optional<std::string> failure_;
};

}  // namespace orgledger::ledger
