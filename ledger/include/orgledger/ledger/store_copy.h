// Issue 18: a whole store copied from one node to another, for a node whose missing groups the
// stream no longer keeps (its retention). The peer makes a consistent copy of its store
// (Ledger::copy_store_to); the node writes it file by file into "<store>/incoming-copy"
// (IncomingCopyFile), marks it complete, and restarts; install_store_copy, run when the store is
// next opened, swaps the copy in, in steps a crash at any point resumes. Errors are io_error naming the
// path. Every file operation goes through the Env (env.h), so a test can fail each one.
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "orgledger/ledger/env.h"
#include "orgledger/ledger/types.h"

namespace rocksdb {
class FSWritableFile;
}

namespace orgledger::ledger {

// "<store>/incoming-copy": where a copy is received. Nothing else may be written there.
std::string incoming_copy_directory(const std::string& store_directory);

// Removes an earlier copy's files (complete or not) and makes the directory empty.
std::expected<void, Error> begin_incoming_copy(Env& env, const std::string& store_directory);

// One file of an incoming copy, written in order; durable once finish() returned.
class IncomingCopyFile {
 public:
  // Creates `name` in the incoming copy. Errors: invalid_argument (not a name of RocksDB's store
  // files: CURRENT, IDENTITY, MANIFEST-*, OPTIONS-*, *.sst, *.log, *.blob), io_error.
  static std::expected<IncomingCopyFile, Error> create(Env& env, const std::string& store_directory,
                                                       const std::string& name);
  IncomingCopyFile(IncomingCopyFile&&) noexcept;
  IncomingCopyFile& operator=(IncomingCopyFile&&) noexcept;
  ~IncomingCopyFile();
  std::expected<void, Error> append(std::string_view bytes);
  // Syncs and closes the file.
  std::expected<void, Error> finish();

 private:
  IncomingCopyFile(std::unique_ptr<rocksdb::FSWritableFile> file, std::string path);
  std::unique_ptr<rocksdb::FSWritableFile> file_;
  std::string path_;
};

// Marks the incoming copy complete, naming its files (every one written and finished): from then
// on the next install_store_copy replaces the store with it. Errors: invalid_argument (a name as
// create refuses, or no CURRENT or MANIFEST among them), io_error.
std::expected<void, Error> complete_incoming_copy(Env& env, const std::string& store_directory,
                                                  std::span<const std::string> files);

// Before the store at `store_directory` is opened (Ledger::open does it, read-write opens only):
// a complete incoming copy replaces the store's RocksDB files and is removed: true. Everything in
// them is the copy's from then on (the log, its indexes, snapshots, the tree, the tokens family: a
// token made only in this store is gone); the vault, the keys and other files beside them stay.
// An incomplete copy, or one this build did not make, is removed: false. Nothing is touched while
// a read-write process holds the store's lock (false); a read-only open (verify, export) takes no
// lock and may fail if it runs during an install. A call cut short (a crash, a failed operation)
// leaves either the old store or a state the next call completes; never a mix RocksDB opens.
std::expected<bool, Error> install_store_copy(Env& env, const std::string& store_directory);

// The size of each file of a copy made by Ledger::copy_store_to, by name.
struct CopyFile {
  std::string name;
  std::uint64_t size = 0;
};
// Up to `limit` bytes of `path` from `offset` (fewer at its end).
std::expected<std::string, Error> read_copy_chunk(Env& env, const std::string& path, std::uint64_t offset,
                                                  std::size_t limit);
// Removes a directory of copy files (and the directory), when present.
std::expected<void, Error> remove_copy_directory(Env& env, const std::string& directory);

}  // namespace orgledger::ledger
