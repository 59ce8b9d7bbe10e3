#include "fault_env.h"

#include <rocksdb/file_system.h>
#include <unistd.h>

#include <filesystem>
#include <thread>

namespace orgledger::testing {
namespace {

const char* name_of(FaultEnv::Op op) {
  switch (op) {
    case FaultEnv::create: return "create";
    case FaultEnv::write: return "write";
    case FaultEnv::sync: return "sync";
    case FaultEnv::rename: return "rename";
    case FaultEnv::remove: return "remove";
    case FaultEnv::sync_directory: return "sync_directory";
    case FaultEnv::owner_only: return "owner_only";
    case FaultEnv::read: return "read";
  }
  return "?";
}

rocksdb::IOStatus injected(const FaultEnv& env) {
  return env.is_no_space() ? rocksdb::IOStatus::NoSpace("injected: no space left on device")
                           : rocksdb::IOStatus::IOError("injected: I/O error");
}

class File final : public rocksdb::FSWritableFileOwnerWrapper {
 public:
  File(std::unique_ptr<rocksdb::FSWritableFile> file, FaultEnv& env, std::string path)
      : FSWritableFileOwnerWrapper(std::move(file)), env_(env), path_(std::move(path)) {}
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           rocksdb::IODebugContext* debug) override {
    if (env_.fails(FaultEnv::write, path_)) return injected(env_);
    auto status = FSWritableFileOwnerWrapper::Append(data, options, debug);
    if (status.ok()) env_.appended(path_, data.size());
    return status;
  }
  rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                           const rocksdb::DataVerificationInfo& info, rocksdb::IODebugContext* debug) override {
    if (env_.fails(FaultEnv::write, path_)) return injected(env_);
    auto status = FSWritableFileOwnerWrapper::Append(data, options, info, debug);
    if (status.ok()) env_.appended(path_, data.size());
    return status;
  }
  rocksdb::IOStatus PositionedAppend(const rocksdb::Slice& data, uint64_t offset, const rocksdb::IOOptions& options,
                                     rocksdb::IODebugContext* debug) override {
    if (env_.fails(FaultEnv::write, path_)) return injected(env_);
    auto status = FSWritableFileOwnerWrapper::PositionedAppend(data, offset, options, debug);
    if (status.ok()) env_.appended(path_, data.size());
    return status;
  }
  rocksdb::IOStatus Sync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
    if (env_.fails(FaultEnv::sync, path_)) return injected(env_);
    auto status = FSWritableFileOwnerWrapper::Sync(options, debug);
    if (status.ok()) env_.synced(path_);
    return status;
  }
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
    if (env_.fails(FaultEnv::sync, path_)) return injected(env_);
    auto status = FSWritableFileOwnerWrapper::Fsync(options, debug);
    if (status.ok()) env_.synced(path_);
    return status;
  }
  rocksdb::IOStatus RangeSync(uint64_t offset, uint64_t bytes, const rocksdb::IOOptions& options,
                              rocksdb::IODebugContext* debug) override {
    // Write-back of a range, not a durability point (RocksDB syncs after): never counted.
    return FSWritableFileOwnerWrapper::RangeSync(offset, bytes, options, debug);
  }

 private:
  FaultEnv& env_;
  std::string path_;
};

class Directory final : public rocksdb::FSDirectoryWrapper {
 public:
  Directory(std::unique_ptr<rocksdb::FSDirectory> directory, FaultEnv& env, std::string path)
      : FSDirectoryWrapper(std::move(directory)), env_(env), path_(std::move(path)) {}
  rocksdb::IOStatus Fsync(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug) override {
    if (env_.fails(FaultEnv::sync_directory, path_)) return injected(env_);
    return FSDirectoryWrapper::Fsync(options, debug);
  }
  rocksdb::IOStatus FsyncWithDirOptions(const rocksdb::IOOptions& options, rocksdb::IODebugContext* debug,
                                        const rocksdb::DirFsyncOptions& dir_options) override {
    if (env_.fails(FaultEnv::sync_directory, path_)) return injected(env_);
    return FSDirectoryWrapper::FsyncWithDirOptions(options, debug, dir_options);
  }

 private:
  FaultEnv& env_;
  std::string path_;
};

class FaultFileSystem final : public rocksdb::FileSystemWrapper {
 public:
  explicit FaultFileSystem(FaultEnv& env) : FileSystemWrapper(rocksdb::FileSystem::Default()), env_(env) {}
  const char* Name() const override { return "FaultFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    if (env_.fails(FaultEnv::create, name)) return injected(env_);
    auto status = FileSystemWrapper::NewWritableFile(name, options, file, debug);
    if (!status.ok()) return status;
    env_.created(name, 0);
    *file = std::make_unique<File>(std::move(*file), env_, name);
    return status;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* file,
                                       rocksdb::IODebugContext* debug) override {
    if (env_.fails(FaultEnv::create, name)) return injected(env_);
    std::uint64_t size = 0;
    (void)target()->GetFileSize(name, rocksdb::IOOptions(), &size, debug);
    auto status = FileSystemWrapper::ReopenWritableFile(name, options, file, debug);
    if (!status.ok()) return status;
    env_.created(name, size);
    env_.synced(name);  // what was there before is as durable as it was
    *file = std::make_unique<File>(std::move(*file), env_, name);
    return status;
  }
  rocksdb::IOStatus NewSequentialFile(const std::string& name, const rocksdb::FileOptions& options,
                                      std::unique_ptr<rocksdb::FSSequentialFile>* file,
                                      rocksdb::IODebugContext* debug) override {
    if (env_.fails(FaultEnv::read, name)) return injected(env_);
    return FileSystemWrapper::NewSequentialFile(name, options, file, debug);
  }
  rocksdb::IOStatus NewRandomAccessFile(const std::string& name, const rocksdb::FileOptions& options,
                                        std::unique_ptr<rocksdb::FSRandomAccessFile>* file,
                                        rocksdb::IODebugContext* debug) override {
    if (env_.fails(FaultEnv::read, name)) return injected(env_);
    return FileSystemWrapper::NewRandomAccessFile(name, options, file, debug);
  }
  rocksdb::IOStatus NewDirectory(const std::string& name, const rocksdb::IOOptions& options,
                                 std::unique_ptr<rocksdb::FSDirectory>* directory,
                                 rocksdb::IODebugContext* debug) override {
    auto status = FileSystemWrapper::NewDirectory(name, options, directory, debug);
    if (status.ok()) *directory = std::make_unique<Directory>(std::move(*directory), env_, name);
    return status;
  }
  rocksdb::IOStatus RenameFile(const std::string& from, const std::string& to, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override {
    if (env_.fails(FaultEnv::rename, to)) return injected(env_);
    auto status = FileSystemWrapper::RenameFile(from, to, options, debug);
    if (status.ok()) env_.renamed(from, to);
    return status;
  }
  rocksdb::IOStatus LinkFile(const std::string& from, const std::string& to, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
    if (env_.fails(FaultEnv::create, to)) return injected(env_);
    auto status = FileSystemWrapper::LinkFile(from, to, options, debug);
    if (status.ok()) env_.linked(from, to);
    return status;
  }
  rocksdb::IOStatus DeleteFile(const std::string& name, const rocksdb::IOOptions& options,
                               rocksdb::IODebugContext* debug) override {
    if (env_.fails(FaultEnv::remove, name)) return injected(env_);
    auto status = FileSystemWrapper::DeleteFile(name, options, debug);
    if (status.ok()) env_.removed(name);
    return status;
  }

 private:
  FaultEnv& env_;
};

}  // namespace

FaultEnv::FaultEnv(Plan plan, const ledger::Clock* clock, ledger::Random* random)
    : plan_(std::move(plan)), random_engine_(plan_.seed), file_system_(std::make_shared<FaultFileSystem>(*this)),
      clock_(clock), random_(random) {}

FaultEnv::~FaultEnv() = default;

void FaultEnv::set_plan(Plan plan) {
  std::lock_guard lock(mutex_);
  plan_ = std::move(plan);
  random_engine_.seed(plan_.seed);
  counted_ = failed_ = 0;
  dead_ = false;
  failures_.clear();
  operations_.clear();
}

std::uint64_t FaultEnv::counted() const {
  std::lock_guard lock(mutex_);
  return counted_;
}
std::uint64_t FaultEnv::failed() const {
  std::lock_guard lock(mutex_);
  return failed_;
}
std::vector<std::string> FaultEnv::failures() const {
  std::lock_guard lock(mutex_);
  return failures_;
}
std::vector<std::string> FaultEnv::operations() const {
  std::lock_guard lock(mutex_);
  return operations_;
}
bool FaultEnv::is_no_space() const {
  std::lock_guard lock(mutex_);
  return plan_.error == Error::no_space;
}

bool FaultEnv::fails(Op op, const std::string& path) {
  std::chrono::microseconds delay{0};
  bool failing = false;
  {
    std::lock_guard lock(mutex_);
    // RocksDB's info LOG is not written through this file system, but its name may come by.
    if ((plan_.ops & op) == 0 || path.ends_with("/LOG") || path.find("/LOG.old") != std::string::npos) return false;
    if (!plan_.path_contains.empty() && path.find(plan_.path_contains) == std::string::npos) return false;
    ++counted_;
    if (operations_.size() < 4096) operations_.push_back(std::string(name_of(op)) + " " + path);
    delay = plan_.delay;
    failing = dead_ || counted_ == plan_.fail_at || (plan_.dead_from != 0 && counted_ >= plan_.dead_from) ||
              (plan_.probability > 0 && std::uniform_real_distribution<double>(0, 1)(random_engine_) < plan_.probability);
    if (failing) {
      ++failed_;
      if (failures_.size() < 256) failures_.push_back(std::string(name_of(op)) + " " + path);
      if (plan_.from_then_on) dead_ = true;
    }
  }
  if (delay.count() > 0) std::this_thread::sleep_for(delay);
  return failing;
}

void FaultEnv::created(const std::string& path, std::uint64_t size) {
  std::lock_guard lock(mutex_);
  written_[path] = Written{size, 0, false};
}
void FaultEnv::appended(const std::string& path, std::uint64_t bytes) {
  std::lock_guard lock(mutex_);
  written_[path].size += bytes;
}
void FaultEnv::synced(const std::string& path) {
  std::lock_guard lock(mutex_);
  auto& file = written_[path];
  file.synced = file.size;
  file.ever_synced = true;
}
void FaultEnv::renamed(const std::string& from, const std::string& to) {
  std::lock_guard lock(mutex_);
  auto it = written_.find(from);
  if (it == written_.end()) {
    written_.erase(to);  // a file from before, renamed over one of ours: as durable as it was
    return;
  }
  written_[to] = it->second;
  written_.erase(from);
}
void FaultEnv::linked(const std::string& from, const std::string& to) {
  std::lock_guard lock(mutex_);
  auto it = written_.find(from);
  if (it != written_.end()) written_[to] = it->second;
}
void FaultEnv::removed(const std::string& path) {
  std::lock_guard lock(mutex_);
  written_.erase(path);
}

void FaultEnv::drop_unsynced() {
  std::lock_guard lock(mutex_);
  for (const auto& [path, file] : written_) {
    std::error_code ignored;
    if (!std::filesystem::exists(path, ignored)) continue;
    if (!file.ever_synced) {
      std::filesystem::remove(path, ignored);
    } else if (file.synced < std::filesystem::file_size(path, ignored)) {
      std::filesystem::resize_file(path, file.synced, ignored);
    }
  }
  written_.clear();
}

std::shared_ptr<rocksdb::FileSystem> FaultEnv::file_system() { return file_system_; }

std::expected<void, ledger::Error> FaultEnv::make_owner_only(const std::string& path) {
  if (fails(owner_only, path)) return std::unexpected(ledger::Error{ledger::ErrorCode::io_error, "injected: chmod failed"});
  return ledger::Env::system().make_owner_only(path);
}

const ledger::Clock& FaultEnv::clock() { return clock_ != nullptr ? *clock_ : ledger::Env::system().clock(); }
ledger::Random& FaultEnv::random() { return random_ != nullptr ? *random_ : ledger::Env::system().random(); }

}  // namespace orgledger::testing
