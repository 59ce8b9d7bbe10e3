// Small files through the Env's file system (RocksDB's FileSystem interface), so that the same
// seam that fails or slows RocksDB's files in a test fails or slows these.
#include "orgledger/ledger/small_files.h"

#include <rocksdb/file_system.h>

#include <filesystem>

namespace orgledger::ledger {
namespace {

constexpr std::uint64_t kLargestSmallFile = 1u << 20;

Error failed(const std::string& what, const std::string& path, const rocksdb::IOStatus& status) {
  return Error{ErrorCode::io_error, what + " " + path + ": " + status.ToString()};
}

std::string directory_of(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

std::expected<void, Error> sync_directory(rocksdb::FileSystem& files, const std::string& directory) {
  std::unique_ptr<rocksdb::FSDirectory> handle;
  auto status = files.NewDirectory(directory, rocksdb::IOOptions(), &handle, nullptr);
  if (status.ok()) status = handle->Fsync(rocksdb::IOOptions(), nullptr);
  if (status.ok()) status = handle->Close(rocksdb::IOOptions(), nullptr);
  if (!status.ok()) return std::unexpected(failed("cannot fsync the directory", directory, status));
  return {};
}

// Creates or truncates `path`, then writes, syncs and closes it.
std::expected<void, Error> write_synced(Env& env, const std::string& path, std::string_view bytes, bool owner_only) {
  auto files = env.file_system();
  std::unique_ptr<rocksdb::FSWritableFile> file;
  auto status = files->NewWritableFile(path, rocksdb::FileOptions(), &file, nullptr);
  if (!status.ok()) return std::unexpected(failed("cannot create", path, status));
  if (owner_only) {
    if (auto restricted = env.make_owner_only(path); !restricted) return restricted;
  }
  const rocksdb::IOOptions io;
  status = file->Append(rocksdb::Slice(bytes.data(), bytes.size()), io, nullptr);
  if (!status.ok()) return std::unexpected(failed("cannot write", path, status));
  status = file->Fsync(io, nullptr);
  if (!status.ok()) return std::unexpected(failed("cannot fsync", path, status));
  status = file->Close(io, nullptr);
  if (!status.ok()) return std::unexpected(failed("cannot close", path, status));
  return {};
}

}  // namespace

std::expected<std::optional<std::string>, Error> read_small_file(Env& env, const std::string& path) {
  auto files = env.file_system();
  const rocksdb::IOOptions io;
  auto status = files->FileExists(path, io, nullptr);
  if (status.IsNotFound()) return std::nullopt;
  if (!status.ok()) return std::unexpected(failed("cannot open", path, status));
  std::uint64_t size = 0;
  status = files->GetFileSize(path, io, &size, nullptr);
  if (!status.ok()) return std::unexpected(failed("cannot open", path, status));
  if (size > kLargestSmallFile) return std::unexpected(Error{ErrorCode::io_error, path + " is larger than 1 MiB"});
  std::string bytes;
  status = rocksdb::ReadFileToString(files.get(), path, &bytes);
  if (!status.ok()) return std::unexpected(failed("cannot read", path, status));
  return bytes;
}

std::expected<void, Error> create_small_file(Env& env, const std::string& path, std::string_view bytes,
                                             bool owner_only) {
  auto files = env.file_system();
  const rocksdb::IOOptions io;
  // Linked to `path` only once whole (a link fails where something exists): a write cut short (a
  // full disk) leaves no partial file under `path` to block the next try.
  const std::string temporary = path + ".new";
  (void)files->DeleteFile(temporary, io, nullptr);
  auto written = write_synced(env, temporary, bytes, owner_only);
  rocksdb::IOStatus linked;
  if (written) linked = files->LinkFile(temporary, path, io, nullptr);
  (void)files->DeleteFile(temporary, io, nullptr);
  if (!written) return written;
  if (!linked.ok()) return std::unexpected(failed("cannot create", path, linked));
  return sync_directory(*files, directory_of(path));
}

std::expected<void, Error> replace_small_file(Env& env, const std::string& path, std::string_view bytes) {
  const std::string temporary = path + ".tmp";
  if (auto written = write_synced(env, temporary, bytes, false); !written) return written;
  return rename_small_file(env, temporary, path);
}

std::expected<bool, Error> small_file_exists(Env& env, const std::string& path) {
  auto status = env.file_system()->FileExists(path, rocksdb::IOOptions(), nullptr);
  if (status.ok()) return true;
  if (status.IsNotFound()) return false;
  return std::unexpected(failed("cannot stat", path, status));
}

std::expected<void, Error> remove_small_file(Env& env, const std::string& path) {
  auto files = env.file_system();
  auto status = files->DeleteFile(path, rocksdb::IOOptions(), nullptr);
  if (status.IsNotFound() || status.IsPathNotFound()) return {};
  if (!status.ok()) return std::unexpected(failed("cannot remove", path, status));
  return sync_directory(*files, directory_of(path));
}

std::expected<void, Error> create_directories(Env& env, const std::string& directory) {
  auto files = env.file_system();
  std::filesystem::path partial;
  for (const auto& part : std::filesystem::path(directory)) {
    partial /= part;
    auto created = files->CreateDirIfMissing(partial.string(), rocksdb::IOOptions(), nullptr);
    if (!created.ok()) return std::unexpected(failed("cannot create", directory, created));
  }
  return {};
}

std::expected<void, Error> rename_small_file(Env& env, const std::string& from, const std::string& to) {
  auto files = env.file_system();
  auto status = files->RenameFile(from, to, rocksdb::IOOptions(), nullptr);
  if (!status.ok()) return std::unexpected(failed("cannot rename " + from + " to", to, status));
  return sync_directory(*files, directory_of(to));
}

}  // namespace orgledger::ledger
