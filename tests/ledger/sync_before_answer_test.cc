// Durability needs more than surviving SIGKILL (the page cache survives a killed process): every
// byte of the write-ahead log that holds an acknowledged event must have been synced to the
// device before the answer. A file system that counts appended and synced WAL bytes proves it.
#include <catch2/catch.hpp>
#include <rocksdb/env.h>
#include <rocksdb/file_system.h>

#include <atomic>
#include <mutex>

#include "commands.h"
#include "orgledger/ledger/ledger.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

class SyncTrackingFileSystem : public rocksdb::FileSystemWrapper {
 public:
  SyncTrackingFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  const char* Name() const override { return "SyncTrackingFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    auto status = FileSystemWrapper::NewWritableFile(name, options, file, debug);
    if (status.ok() && name.ends_with(".log")) *file = std::make_unique<WalFile>(std::move(*file), *this);
    return status;
  }

  // WAL bytes handed to the file system but not yet synced, over every WAL file.
  std::uint64_t unsynced() const { return appended_.load() - synced_.load(); }
  std::uint64_t synced() const { return synced_.load(); }

 private:
  class WalFile : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    WalFile(std::unique_ptr<rocksdb::FSWritableFile> file, SyncTrackingFileSystem& fs)
        : FSWritableFileOwnerWrapper(std::move(file)), fs_(fs) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      pending_ += data.size();
      fs_.appended_ += data.size();
      return FSWritableFileOwnerWrapper::Append(data, options, debug);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* debug) override {
      pending_ += data.size();
      fs_.appended_ += data.size();
      return FSWritableFileOwnerWrapper::Append(data, options, info, debug);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
      auto status = FSWritableFileOwnerWrapper::Sync(options, debug);
      settle(status);
      return status;
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
      auto status = FSWritableFileOwnerWrapper::Fsync(options, debug);
      settle(status);
      return status;
    }
    rocksdb::IOStatus RangeSync(std::uint64_t offset, std::uint64_t bytes, const rocksdb::IOOptions& options,
                                rocksdb::IODebugContext* debug) override {
      return FSWritableFileOwnerWrapper::RangeSync(offset, bytes, options, debug);  // not a durability point
    }

   private:
    void settle(const rocksdb::IOStatus& status) {
      if (!status.ok()) return;
      fs_.synced_ += pending_;
      pending_ = 0;
    }
    SyncTrackingFileSystem& fs_;
    std::uint64_t pending_ = 0;
  };

  std::atomic<std::uint64_t> appended_{0};
  std::atomic<std::uint64_t> synced_{0};
};

}  // namespace

TEST_CASE("durability: every acknowledged append's WAL bytes were synced before the answer") {
  TempDir dir;
  auto file_system = std::make_shared<SyncTrackingFileSystem>();
  ledger::EnvWith env({.file_system = file_system});
  auto log = ledger::Ledger::open(dir.path(), {.env = &env}).value();
  for (int i = 0; i < 200; ++i) {
    auto cmd = member_added("c" + std::to_string(i), "org:o" + std::to_string(i % 3), "u");
    if (i % 5 == 0) ledger::add_event(cmd, "org:x", schema::TeamCreatedT{.org = "x", .team = "t" + std::to_string(i)});
    REQUIRE(log->append(std::move(cmd)));
    // One submitter: nothing else is in flight, so at the answer nothing may be unsynced.
    REQUIRE(file_system->unsynced() == 0);
  }
  CHECK(file_system->synced() > 200 * 200);  // the events really went through the tracked WAL
}
