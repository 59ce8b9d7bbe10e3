#include "sync_watch.h"

namespace orgledger::ledger {
namespace {

class WatchedFile : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  WatchedFile(std::unique_ptr<rocksdb::FSWritableFile> file, SyncWatch& watch, std::string name)
      : FSWritableFileOwnerWrapper(std::move(file)), watch_(watch), name_(std::move(name)) {}
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
    return written(FSWritableFileOwnerWrapper::Append(data, options, debug));
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* debug) override {
    return written(FSWritableFileOwnerWrapper::Append(data, options, info, debug));
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, std::uint64_t offset, const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* debug) override {
    return written(FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options, debug));
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
    return noted(FSWritableFileOwnerWrapper::Sync(options, debug));
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
    return noted(FSWritableFileOwnerWrapper::Fsync(options, debug));
  }
  rocksdb::IOStatus RangeSync(std::uint64_t offset, std::uint64_t bytes, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* debug) override {
    return noted(FSWritableFileOwnerWrapper::RangeSync(offset, bytes, options, debug));
  }

 private:
  rocksdb::IOStatus noted(rocksdb::IOStatus status) {
    if (!status.ok()) watch_.note_failure("sync of " + name_, status);
    return status;
  }
  rocksdb::IOStatus written(rocksdb::IOStatus status) {
    if (!status.ok()) watch_.note_failure("write of " + name_, status);
    return status;
  }
  SyncWatch& watch_;
  std::string name_;
};

class WatchedDirectory : public rocksdb::FSDirectoryWrapper {
 public:
  WatchedDirectory(std::unique_ptr<rocksdb::FSDirectory> directory, SyncWatch& watch, std::string name)
      : FSDirectoryWrapper(std::move(directory)), watch_(watch), name_(std::move(name)) {}
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
    return noted(FSDirectoryWrapper::Fsync(options, debug));
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug,
                                        const rocksdb::DirFsyncOptions& dir_options) override {
    return noted(FSDirectoryWrapper::FsyncWithDirOptions(options, debug, dir_options));
  }

 private:
  rocksdb::IOStatus noted(rocksdb::IOStatus status) {
    if (!status.ok()) watch_.note_failure("fsync of the directory " + name_, status);
    return status;
  }
  SyncWatch& watch_;
  std::string name_;
};

}  // namespace

std::optional<std::string> SyncWatch::sync_failure() const {
  std::lock_guard lock(mutex_);
  return failure_;
}

void SyncWatch::note_failure(const std::string& what, const rocksdb::IOStatus& status) {
  std::lock_guard lock(mutex_);
  if (!failure_) failure_ = what + ": " + status.ToString();
}

rocksdb::IOStatus SyncWatch::NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                             std::unique_ptr<rocksdb::FSWritableFile>* file,
                                             rocksdb::IODebugContext* debug) {
  auto status = FileSystemWrapper::NewWritableFile(name, options, file, debug);
  if (status.ok()) *file = std::make_unique<WatchedFile>(std::move(*file), *this, name);
  return status;
}

rocksdb::IOStatus SyncWatch::ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                                std::unique_ptr<rocksdb::FSWritableFile>* file,
                                                rocksdb::IODebugContext* debug) {
  auto status = FileSystemWrapper::ReopenWritableFile(name, options, file, debug);
  if (status.ok()) *file = std::make_unique<WatchedFile>(std::move(*file), *this, name);
  return status;
}

rocksdb::IOStatus SyncWatch::DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                                        rocksdb::IODebugContext* debug) {
  if (sync_failure()) return rocksdb::IOStatus::OK();  // kept: see the header
  return FileSystemWrapper::DeleteFile(name, options, debug);
}

rocksdb::IOStatus SyncWatch::NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                          std::unique_ptr<rocksdb::FSDirectory>* directory,
                                          rocksdb::IODebugContext* debug) {
  auto status = FileSystemWrapper::NewDirectory(name, options, directory, debug);
  if (status.ok()) *directory = std::make_unique<WatchedDirectory>(std::move(*directory), *this, name);
  return status;
}

}  // namespace orgledger::ledger
