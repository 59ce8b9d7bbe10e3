// The RocksDB instance behind a ledger, with its column families (store_layout.h).
#pragma once

#include <rocksdb/db.h>

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "orgledger/ledger/ledger.h"
#include "sync_watch.h"

namespace orgledger::ledger {

class Store {
 public:
  // read_write creates the directory, the store and its families when missing and records the
  // format version; read_only opens an existing store and writes nothing.
  // Every file operation goes through `os` (env.h), which must outlive the store.
  static std::expected<std::unique_ptr<Store>, Error> open(const std::string& directory, OpenMode mode, Env& os);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // RocksDB's DB is thread-safe; readers of a const Store still need its non-const API.
  rocksdb::DB& db() const { return *db_; }
  // The operating-system seam the store runs on: RocksDB's view (the caller's file system under
  // the sync watch), and the caller's own Env (for files beside the store).
  rocksdb::Env* env() const { return env_.get(); }
  Env& os() const { return *os_; }
  const std::string& directory() const { return directory_; }
  rocksdb::ColumnFamilyHandle* events() const { return families_[0]; }
  rocksdb::ColumnFamilyHandle* streams() const { return families_[1]; }
  rocksdb::ColumnFamilyHandle* commands() const { return families_[2]; }
  rocksdb::ColumnFamilyHandle* meta() const { return families_[3]; }
  // Null in a read-only open of a store that has no tokens yet.
  rocksdb::ColumnFamilyHandle* tokens() const { return family_named(layout_tokens()); }
  rocksdb::ColumnFamilyHandle* snapshots() const { return family_named(layout_snapshots()); }
  // The Merkle tree's nodes (null in a read-only open of a store from before the tree).
  rocksdb::ColumnFamilyHandle* tree() const { return family_named(layout_tree()); }
  // Signed checkpoints (likewise null in a read-only open of a store from before them).
  rocksdb::ColumnFamilyHandle* checkpoints() const { return family_named(layout_checkpoints()); }

  // A point read; nullopt when the key is absent.
  std::expected<std::optional<std::string>, Error> get(rocksdb::ColumnFamilyHandle* family,
                                                      const rocksdb::Slice& key) const;
  // The head recorded in meta ({0, zeros} for a new store).
  std::expected<Head, Error> recorded_head() const;
  // The greatest key of the events family, 0 when it is empty.
  std::expected<Position, Error> last_event_key() const;
  // The first sync of a file or directory of the store that failed (sync_watch.h), nullopt while
  // none did: once there is one, nothing more may be acknowledged as durable.
  std::optional<std::string> sync_failure() const { return sync_watch_->sync_failure(); }
  // OK while nothing failed; else an IOError, and nothing more is written to the database: after a
  // failed write Debian's RocksDB (assertions on) aborts the process if the same file writer is
  // used again (found by the fault workload). Every write to the database asks first.
  rocksdb::Status stopped() const;
  // The durable version of `stream` (0 when it has no event) as far as the store knows.
  std::expected<StreamVersion, Error> stream_version(std::string_view stream) const;

 private:
  Store() = default;
  // The families added after the first stores may be missing from a read-only open.
  rocksdb::ColumnFamilyHandle* family_named(const char* name) const;
  static const char* layout_tokens();
  static const char* layout_snapshots();
  static const char* layout_tree();
  static const char* layout_checkpoints();
  // Declared before the database, so destroyed after it: RocksDB uses its Env until it closes.
  std::shared_ptr<SyncWatch> sync_watch_;
  std::unique_ptr<rocksdb::Env> env_;
  Env* os_ = nullptr;
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> families_;
  bool writable_ = false;
  std::string directory_;
};

// An io_error carrying RocksDB's own words.
Error io_error(const std::string& what, const rocksdb::Status& status);

}  // namespace orgledger::ledger
