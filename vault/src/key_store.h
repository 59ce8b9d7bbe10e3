// The key store: a RocksDB instance of its own at <data>/vault (never the event log's, whose WAL
// and tables must keep every byte forever), in the layout written at the top of key_store.cc.
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "orgledger/vault/vault.h"

namespace orgledger::vault {

namespace layout {
inline constexpr std::string_view kKeyPrefix = "k/";
inline constexpr std::string_view kForgottenPrefix = "f/";
inline constexpr std::string_view kDestroyedPrefix = "x/";
inline constexpr std::string_view kMasterKey = "m/master";
inline constexpr std::string_view kRotationKey = "m/rotation";
inline constexpr std::string_view kPreviousMasterKey = "m/previous-master";
inline constexpr std::string_view kShredKey = "m/shred";
inline constexpr std::string_view kForgottenMarker = "\x01";
inline constexpr std::string_view kDestroyedMarker = "\x01";
inline constexpr std::string_view kShredMarker = "\x01";

std::string key_key(std::string_view key_id);
std::string forgotten_key(std::string_view subject);
std::string destroyed_key(std::string_view key_id);
}  // namespace layout

enum class Durability { synced, buffered };

class KeyStore {
 public:
  // read_write creates `directory` and an empty store when missing; read_only writes nothing and,
  // over a directory without a store, opens an empty one (exists() false). Errors: io_error.
  // Every file operation goes through `os` (ledger/env.h), which must outlive the store.
  static std::expected<std::unique_ptr<KeyStore>, Error> open(const std::string& directory, Mode mode,
                                                             ledger::Env& os);
  ~KeyStore();
  KeyStore(const KeyStore&) = delete;
  KeyStore& operator=(const KeyStore&) = delete;

  bool exists() const { return db_ != nullptr; }
  bool writable() const { return mode_ == Mode::read_write && db_ != nullptr; }
  const std::string& directory() const { return directory_; }

  // A point read; nullopt when absent. Thread-safe.
  std::expected<std::optional<std::string>, Error> get(std::string_view key) const;
  // Applies `batch` atomically; `synced` returns only once it is durable. Thread-safe.
  std::expected<void, Error> write(rocksdb::WriteBatch& batch, Durability durability);
  // visit(key, value) for every record whose key starts with `prefix`, in key order, over one
  // consistent view; stops at the first error `visit` returns.
  std::expected<void, Error> scan(std::string_view prefix,
                                  const std::function<std::expected<void, Error>(std::string_view key, std::string_view value)>& visit) const;

  // G2: rewrites the store's files so that no value deleted or overwritten before the call
  // remains in any of them: flushes the memtable, compacts everything down with a forced
  // bottommost compaction (tombstones and shadowed values dropped), then deletes the obsolete
  // write-ahead logs and tables and checks, by listing the directory, that none is left.
  // Costs a rewrite of the whole (small) store. Errors: read_only, io_error.
  std::expected<void, Error> rewrite_files();

 private:
  KeyStore() = default;
  // The names of .sst and .log files in the directory that are not live: what rewrite_files waits on.
  std::expected<std::vector<std::string>, Error> obsolete_files() const;

  // Once a write, flush or compaction failed, the store writes nothing more until it is reopened:
  // Debian's RocksDB (assertions on) aborts the process when a file writer that failed is used
  // again, and the vault's next write would reuse its log's (found by the fault workload).
  std::expected<void, Error> stopped() const;
  Error failed(Error error);

  std::string directory_;
  Mode mode_ = Mode::read_only;
  mutable std::mutex failure_mutex_;
  std::optional<std::string> failure_;
  // RocksDB's view of the caller's file system; declared before the database, which uses it
  // until it closes.
  std::unique_ptr<rocksdb::Env> env_;
  std::unique_ptr<rocksdb::DB> db_;
};

// An Error carrying RocksDB's own words: corrupt for a Corruption status, io_error otherwise.
Error store_error(const std::string& what, const rocksdb::Status& status);

}  // namespace orgledger::vault
