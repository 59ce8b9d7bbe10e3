// A RocksDB file system whose every write can be made to fail (fault injection through the Env
// seam the ledger takes): file appends, syncs, new files and directory fsyncs alike, with ENOSPC
// (IOStatus::NoSpace) or EIO. What a full or dying disk looks like to RocksDB, its own LOG included.
#pragma once

#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <memory>
#include <string>

namespace orgledger::testing {

class FaultyDisk : public rocksdb::FileSystemWrapper {
 public:
  enum class Fault { none, no_space, io_error, directory_fsync };
  FaultyDisk() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "FaultyDisk"; }
  std::atomic<Fault> fault{Fault::none};

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    if (writes_fail()) return error();
    auto status = FileSystemWrapper::NewWritableFile(name, options, file, debug);
    if (status.ok()) *file = std::make_unique<File>(std::move(*file), *this);
    return status;
  }
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* directory,
                                 rocksdb::IODebugContext* debug) override {
    auto status = FileSystemWrapper::NewDirectory(name, options, directory, debug);
    if (status.ok()) *directory = std::make_unique<Directory>(std::move(*directory), *this);
    return status;
  }

 private:
  bool writes_fail() const { return fault == Fault::no_space || fault == Fault::io_error; }
  rocksdb::IOStatus error() const {
    return fault == Fault::no_space ? rocksdb::IOStatus::NoSpace("injected: no space left on device")
                                    : rocksdb::IOStatus::IOError("injected: I/O error");
  }

  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> file, const FaultyDisk& disk)
        : FSWritableFileOwnerWrapper(std::move(file)), disk_(disk) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      if (disk_.writes_fail()) return disk_.error();
      return FSWritableFileOwnerWrapper::Append(data, options, debug);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* debug) override {
      if (disk_.writes_fail()) return disk_.error();
      return FSWritableFileOwnerWrapper::Append(data, options, info, debug);
    }
    rocksdb::IOStatus Flush(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
      if (disk_.writes_fail()) return disk_.error();
      return FSWritableFileOwnerWrapper::Flush(options, debug);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
      if (disk_.writes_fail()) return disk_.error();
      return FSWritableFileOwnerWrapper::Sync(options, debug);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
      if (disk_.writes_fail()) return disk_.error();
      return FSWritableFileOwnerWrapper::Fsync(options, debug);
    }

   private:
    const FaultyDisk& disk_;
  };

  class Directory : public rocksdb::FSDirectoryWrapper {
   public:
    Directory(std::unique_ptr<rocksdb::FSDirectory> directory, const FaultyDisk& disk)
        : FSDirectoryWrapper(std::move(directory)), disk_(disk) {}
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
      if (disk_.fault != Fault::none) return rocksdb::IOStatus::IOError("injected: directory fsync failed");
      return FSDirectoryWrapper::Fsync(options, debug);
    }
    rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug,
                                          const rocksdb::DirFsyncOptions& dir_options) override {
      if (disk_.fault != Fault::none) return rocksdb::IOStatus::IOError("injected: directory fsync failed");
      return FSDirectoryWrapper::FsyncWithDirOptions(options, debug, dir_options);
    }

   private:
    const FaultyDisk& disk_;
  };
};

}  // namespace orgledger::testing
