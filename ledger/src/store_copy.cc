// Whole-store copies (store_copy.h). The install is ordered so that a crash anywhere leaves a state
// the next call finishes: the old store's CURRENT goes first (from then on the old store can no
// longer be opened half-replaced), the copy's CURRENT comes last (until then the new one cannot be
// opened half-installed), and the copy's manifest stays until everything has moved.
#include "orgledger/ledger/store_copy.h"

#include <rocksdb/file_system.h>
#include <rocksdb/utilities/checkpoint.h>

#include <algorithm>
#include <filesystem>
#include <optional>
#include <sstream>

#include "ledger_impl.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/small_files.h"
#include "store.h"

namespace orgledger::ledger {
namespace {

// Written last into a complete copy: one file name per line.
constexpr std::string_view kCompleteMarker = "COPY-COMPLETE";

Error failed(const std::string& what, const std::string& path, const rocksdb::Status& status) {
  return Error{ErrorCode::io_error, what + " " + path + ": " + status.ToString()};
}

std::string join(const std::string& directory, std::string_view name) {
  return (std::filesystem::path(directory) / name).string();
}

// The files RocksDB keeps in a store's directory, which a copy replaces. The LOCK file, its info
// logs, and everything of ours beside the store (vault/, the keys, snapshots' ingest files, the
// copies' directories) stay.
bool is_store_file(const std::string& name) {
  if (name.find('/') != std::string::npos) return false;
  return name == "CURRENT" || name == "IDENTITY" || name.starts_with("MANIFEST-") || name.starts_with("OPTIONS-") ||
         name.ends_with(".sst") || name.ends_with(".log") || name.ends_with(".blob");
}

std::expected<std::vector<std::string>, Error> children(rocksdb::FileSystem& files, const std::string& directory) {
  std::vector<std::string> names;
  auto status = files.GetChildren(directory, rocksdb::IOOptions(), &names, nullptr);
  if (!status.ok()) return std::unexpected(failed("cannot list", directory, status));
  std::erase_if(names, [](const std::string& name) { return name == "." || name == ".."; });
  return names;
}

std::expected<bool, Error> exists(rocksdb::FileSystem& files, const std::string& path) {
  auto status = files.FileExists(path, rocksdb::IOOptions(), nullptr);
  if (status.ok()) return true;
  if (status.IsNotFound() || status.IsPathNotFound()) return false;
  return std::unexpected(failed("cannot stat", path, status));
}

// What a copy's file list must be: RocksDB's file names only (never LOCK, never anything of ours
// beside the store), with a CURRENT and a MANIFEST to open by.
std::optional<std::string> invalid_listing(std::span<const std::string> names) {
  for (const auto& name : names) {
    if (!is_store_file(name)) return "'" + name + "' is not a store file's name";
  }
  if (std::ranges::find(names, "CURRENT") == names.end()) return "a copy without a CURRENT file";
  if (std::ranges::none_of(names, [](const std::string& name) { return name.starts_with("MANIFEST-"); })) {
    return "a copy without a MANIFEST file";
  }
  return std::nullopt;
}

std::expected<std::vector<std::string>, Error> manifest_of(Env& env, const std::string& marker) {
  auto bytes = read_small_file(env, marker);
  if (!bytes) return std::unexpected(bytes.error());
  std::vector<std::string> names;
  std::istringstream lines(bytes->value_or(""));
  for (std::string name; std::getline(lines, name);) {
    if (!name.empty()) names.push_back(name);
  }
  if (auto invalid = invalid_listing(names)) return std::unexpected(Error{ErrorCode::corrupt, marker + ": " + *invalid});
  return names;
}

// Step 2: the old store's files go, except those of the copy already moved in.
std::expected<void, Error> remove_old_store_files(rocksdb::FileSystem& files, const std::string& store,
                                                  const std::string& copy, const std::vector<std::string>& manifest) {
  auto names = children(files, store);
  if (!names) return std::unexpected(names.error());
  for (const auto& name : *names) {
    if (!is_store_file(name)) continue;
    if (std::ranges::find(manifest, name) != manifest.end()) {
      auto still_in_copy = exists(files, join(copy, name));
      if (!still_in_copy) return std::unexpected(still_in_copy.error());
      if (!*still_in_copy) continue;  // moved in by an earlier try
    }
    if (auto status = files.DeleteFile(join(store, name), rocksdb::IOOptions(), nullptr); !status.ok()) {
      return std::unexpected(failed("cannot remove", join(store, name), status));
    }
  }
  return {};
}

// Step 3: the copy's files move in, CURRENT last (each rename made durable before the next).
std::expected<void, Error> move_copy_in(Env& env, const std::string& store, const std::string& copy,
                                        std::vector<std::string> manifest) {
  std::ranges::stable_partition(manifest, [](const std::string& name) { return name != "CURRENT"; });
  auto files = env.file_system();
  for (const auto& name : manifest) {
    auto present = exists(*files, join(copy, name));
    if (!present) return std::unexpected(present.error());
    if (!*present) continue;  // moved by an earlier try
    if (auto moved = rename_small_file(env, join(copy, name), join(store, name)); !moved) return moved;
  }
  return {};
}

// install_store_copy, with the store's lock held.
std::expected<bool, Error> install_locked(Env& env, const std::string& store_directory) {
  const auto copy = incoming_copy_directory(store_directory);
  const auto marker = join(copy, kCompleteMarker);
  auto files = env.file_system();
  auto complete = exists(*files, marker);
  if (!complete) return std::unexpected(complete.error());
  if (!*complete) {
    auto removed = remove_copy_directory(env, copy);  // a download cut short
    if (!removed) return std::unexpected(removed.error());
    return false;
  }
  auto manifest = manifest_of(env, marker);
  if (!manifest && manifest.error().code == ErrorCode::corrupt) {
    // Not a copy this build made: dropped, the store untouched (nothing has moved yet, as every
    // copy that moves had a valid manifest).
    auto removed = remove_copy_directory(env, copy);
    if (!removed) return std::unexpected(removed.error());
    return false;
  }
  if (!manifest) return std::unexpected(manifest.error());
  // Step 1: the old store can no longer be opened (only while the copy's CURRENT has not moved).
  auto copy_current = exists(*files, join(copy, "CURRENT"));
  if (!copy_current) return std::unexpected(copy_current.error());
  if (*copy_current) {
    if (auto removed = remove_small_file(env, join(store_directory, "CURRENT")); !removed) return std::unexpected(removed.error());
  }
  if (auto removed = remove_old_store_files(*files, store_directory, copy, *manifest); !removed) {
    return std::unexpected(removed.error());
  }
  if (auto moved = move_copy_in(env, store_directory, copy, *manifest); !moved) return std::unexpected(moved.error());
  if (auto removed = remove_copy_directory(env, copy); !removed) return std::unexpected(removed.error());
  return true;
}

}  // namespace

std::string incoming_copy_directory(const std::string& store_directory) { return join(store_directory, "incoming-copy"); }

std::expected<void, Error> remove_copy_directory(Env& env, const std::string& directory) {
  auto files = env.file_system();
  auto present = exists(*files, directory);
  if (!present || !*present) return present ? std::expected<void, Error>() : std::unexpected(present.error());
  // The marker first, durably: a copy cut short while being removed is no longer complete. The
  // rest needs no sync of its own: a file back after a crash is removed again.
  if (auto removed = remove_small_file(env, join(directory, kCompleteMarker)); !removed) return removed;
  auto names = children(*files, directory);
  if (!names) return std::unexpected(names.error());
  for (const auto& name : *names) {
    if (auto status = files->DeleteFile(join(directory, name), rocksdb::IOOptions(), nullptr);
        !status.ok() && !status.IsNotFound() && !status.IsPathNotFound()) {
      return std::unexpected(failed("cannot remove", join(directory, name), status));
    }
  }
  if (auto status = files->DeleteDir(directory, rocksdb::IOOptions(), nullptr); !status.ok()) {
    return std::unexpected(failed("cannot remove", directory, status));
  }
  return {};
}

std::expected<void, Error> begin_incoming_copy(Env& env, const std::string& store_directory) {
  const auto directory = incoming_copy_directory(store_directory);
  if (auto removed = remove_copy_directory(env, directory); !removed) return removed;
  return create_directories(env, directory);
}

IncomingCopyFile::IncomingCopyFile(std::unique_ptr<rocksdb::FSWritableFile> file, std::string path)
    : file_(std::move(file)), path_(std::move(path)) {}
IncomingCopyFile::IncomingCopyFile(IncomingCopyFile&&) noexcept = default;
IncomingCopyFile& IncomingCopyFile::operator=(IncomingCopyFile&&) noexcept = default;
IncomingCopyFile::~IncomingCopyFile() = default;

std::expected<IncomingCopyFile, Error> IncomingCopyFile::create(Env& env, const std::string& store_directory,
                                                                const std::string& name) {
  if (!is_store_file(name)) return std::unexpected(Error{ErrorCode::invalid_argument, "'" + name + "' is not a store file's name"});
  const auto path = join(incoming_copy_directory(store_directory), name);
  std::unique_ptr<rocksdb::FSWritableFile> file;
  auto status = env.file_system()->NewWritableFile(path, rocksdb::FileOptions(), &file, nullptr);
  if (!status.ok()) return std::unexpected(failed("cannot create", path, status));
  return IncomingCopyFile(std::move(file), path);
}

std::expected<void, Error> IncomingCopyFile::append(std::string_view bytes) {
  auto status = file_->Append(rocksdb::Slice(bytes.data(), bytes.size()), rocksdb::IOOptions(), nullptr);
  if (!status.ok()) return std::unexpected(failed("cannot write", path_, status));
  return {};
}

std::expected<void, Error> IncomingCopyFile::finish() {
  auto status = file_->Fsync(rocksdb::IOOptions(), nullptr);
  if (status.ok()) status = file_->Close(rocksdb::IOOptions(), nullptr);
  if (!status.ok()) return std::unexpected(failed("cannot sync", path_, status));
  return {};
}

std::expected<void, Error> complete_incoming_copy(Env& env, const std::string& store_directory,
                                                  std::span<const std::string> files) {
  if (auto invalid = invalid_listing(files)) return std::unexpected(Error{ErrorCode::invalid_argument, *invalid});
  std::string manifest;
  for (const auto& name : files) manifest += name + "\n";
  // create_small_file syncs the directory too: every file's entry is durable with the marker.
  return create_small_file(env, join(incoming_copy_directory(store_directory), kCompleteMarker), manifest, false);
}

std::expected<bool, Error> install_store_copy(Env& env, const std::string& store_directory) {
  const auto copy = incoming_copy_directory(store_directory);
  auto files = env.file_system();
  auto receiving = exists(*files, copy);
  if (!receiving || !*receiving) return receiving;
  // RocksDB's own lock: a process that has the store open (a server still downloading, or about to
  // restart) keeps it, and its files are left alone; RocksDB's open then says the store is in use.
  rocksdb::FileLock* lock = nullptr;
  if (!files->LockFile(join(store_directory, "LOCK"), rocksdb::IOOptions(), &lock, nullptr).ok()) return false;
  auto installed = install_locked(env, store_directory);
  (void)files->UnlockFile(lock, rocksdb::IOOptions(), nullptr);
  return installed;
}

std::expected<std::string, Error> read_copy_chunk(Env& env, const std::string& path, std::uint64_t offset,
                                                  std::size_t limit) {
  std::unique_ptr<rocksdb::FSRandomAccessFile> file;
  auto status = env.file_system()->NewRandomAccessFile(path, rocksdb::FileOptions(), &file, nullptr);
  if (!status.ok()) return std::unexpected(failed("cannot open", path, status));
  std::string buffer(limit, '\0');
  rocksdb::Slice read;
  status = file->Read(offset, limit, rocksdb::IOOptions(), &read, buffer.data(), nullptr);
  if (!status.ok()) return std::unexpected(failed("cannot read", path, status));
  return std::string(read.data(), read.size());
}

std::expected<std::vector<CopyFile>, Error> Ledger::copy_store_to(const std::string& directory) const {
  const Store& store = impl_->store();
  rocksdb::Checkpoint* raw = nullptr;
  auto status = rocksdb::Checkpoint::Create(&store.db(), &raw);
  std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  // 0: the memtables are flushed first, so the copy is tables only (plus what RocksDB adds).
  if (status.ok()) status = checkpoint->CreateCheckpoint(directory, 0);
  if (!status.ok()) return std::unexpected(failed("cannot copy the store to", directory, status));
  auto files = store.os().file_system();
  auto names = children(*files, directory);
  if (!names) return std::unexpected(names.error());
  std::vector<CopyFile> copy;
  for (const auto& name : *names) {
    std::uint64_t size = 0;
    if (auto sized = files->GetFileSize(join(directory, name), rocksdb::IOOptions(), &size, nullptr); !sized.ok()) {
      return std::unexpected(failed("cannot stat", join(directory, name), sized));
    }
    copy.push_back({name, size});
  }
  return copy;
}

}  // namespace orgledger::ledger
