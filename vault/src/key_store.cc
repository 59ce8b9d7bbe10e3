// The key store's layout (one RocksDB instance, default column family only):
//
//   key                    value
//   "k/" key_id            key record: 0x01 ‖ master_id[8] ‖ nonce[12] ‖ wrapped_key[32] ‖ tag[16]
//                            key_id      = 32 lowercase hex digits (16 random bytes)
//                            master_id   = the first 8 bytes of SHA-256(master key) (master_key.h)
//                            wrapped_key ‖ tag = AES-256-GCM(master key, nonce, data key,
//                                                            AAD = "orgledger-vault-key/" ‖ key_id)
//   "f/" subject           0x01: the subject is forgotten (G2). No key material.
//   "x/" key_id            0x01: the key was destroyed by a forget (G2), so that a copy another
//                          node shares (Vault::adopt, issue 18) is never stored again. Absent from
//                          stores written before issue 18, whose keys no node shared.
//   "m/master"             master_id[8]: the master key that wraps every key record. Written
//                          once, when the store is created, before any key; changed only by a
//                          completed rotation (rotate_master.cc).
//   "m/rotation"           master_id[8] of the new master key while a rotation is under way:
//                          key records are then wrapped under either id; Vault::open refuses.
//   "m/previous-master"    master_id[8] of the key a completed rotation replaced: a rerun of
//                          that rotation (rotate_master.cc) recognises the old key it is given.
//   "m/shred"              0x01 from a forget's synced deletion until its files are rewritten
//                          (rewrite_files); Vault::open finishes such a forget (G2: "a crash
//                          between the event and the destruction is finished at the next start").
//
// Data keys are made ahead in pools (fresh_key.cc): after a crash, pooled keys never handed out
// remain as orphan records. They never sealed anything, so they hold no one's data.
//
// Options chosen for crypto-shredding (G2): write-ahead logs are deleted, never archived
// (WAL_ttl_seconds = WAL_size_limit_MB = 0) nor recycled (recycle_log_file_num = 0, which would
// otherwise keep old key records in a reused log's tail); no compression (wrapped keys are
// random bytes, and uncompressed tables let a test find any record on disk byte for byte).
#include "key_store.h"

#include <rocksdb/file_system.h>
#include <rocksdb/options.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <set>
#include <thread>

#include "errors.h"
#include "orgledger/ledger/iterator_bytes.h"
#include "orgledger/ledger/small_files.h"

namespace orgledger::vault {

namespace layout {
std::string key_key(std::string_view key_id) { return std::string(kKeyPrefix) + std::string(key_id); }
std::string forgotten_key(std::string_view subject) { return std::string(kForgottenPrefix) + std::string(subject); }
std::string destroyed_key(std::string_view key_id) { return std::string(kDestroyedPrefix) + std::string(key_id); }
}  // namespace layout

namespace {

rocksdb::Slice slice(std::string_view text) { return {text.data(), text.size()}; }

// Obsolete files are normally deleted by the thread that made them obsolete; a purge may still
// be in flight in a background thread when CompactRange returns. How long rewrite_files waits.
constexpr int kPurgeAttempts = 500;
constexpr auto kPurgePause = std::chrono::milliseconds(10);

// "/000012.sst" or "000012.sst" → "000012.sst".
std::string base_name(const std::string& path) {
  const auto slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace

Error store_error(const std::string& what, const rocksdb::Status& status) {
  return Error{status.IsCorruption() ? ErrorCode::corrupt : ErrorCode::io_error, what + ": " + status.ToString()};
}

std::expected<std::unique_ptr<KeyStore>, Error> KeyStore::open(const std::string& directory, Mode mode,
                                                              ledger::Env& os) {
  std::unique_ptr<KeyStore> store(new KeyStore());
  store->directory_ = directory;
  store->mode_ = mode;
  const auto files = os.file_system();
  const bool exists = files->FileExists(directory + "/CURRENT", rocksdb::IOOptions(), nullptr).ok();
  if (mode == Mode::read_only && !exists) return store;  // a store written before G1: no keys

  rocksdb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  store->env_ = rocksdb::NewCompositeEnv(files);
  options.env = store->env_.get();
  options.WAL_ttl_seconds = 0;
  options.WAL_size_limit_MB = 0;
  options.recycle_log_file_num = 0;
  options.compression = rocksdb::kNoCompression;
  options.bottommost_compression = rocksdb::kNoCompression;
  options.max_background_jobs = 2;
  options.keep_log_file_num = 2;  // RocksDB's own info LOG files

  rocksdb::DB* raw = nullptr;
  rocksdb::Status status;
  if (mode == Mode::read_write) {
    if (auto created = ledger::create_directories(os, directory); !created) return fail(ErrorCode::io_error, created.error().message);
    status = rocksdb::DB::Open(options, directory, &raw);
  } else {
    status = rocksdb::DB::OpenForReadOnly(options, directory, &raw);
  }
  if (!status.ok()) return std::unexpected(store_error("cannot open the key store in " + directory, status));
  store->db_.reset(raw);
  return store;
}

KeyStore::~KeyStore() {
  if (db_) db_->Close();
}

std::expected<std::optional<std::string>, Error> KeyStore::get(std::string_view key) const {
  if (!db_) return std::nullopt;
  std::string value;
  const auto status = db_->Get(rocksdb::ReadOptions(), slice(key), &value);
  if (status.IsNotFound()) return std::nullopt;
  if (!status.ok()) return std::unexpected(store_error("cannot read the key store", status));
  return value;
}

std::expected<void, Error> KeyStore::write(rocksdb::WriteBatch& batch, Durability durability) {
  if (!writable()) return fail(ErrorCode::read_only, "the key store is open read-only");
  if (auto stopped = this->stopped(); !stopped) return stopped;
  rocksdb::WriteOptions options;
  options.sync = durability == Durability::synced;
  const auto status = db_->Write(options, &batch);
  if (!status.ok()) return std::unexpected(failed(store_error("cannot write the key store", status)));
  return {};
}

std::expected<void, Error> KeyStore::stopped() const {
  std::lock_guard lock(failure_mutex_);
  if (failure_) return fail(ErrorCode::io_error, "the key store stopped after a failed write: " + *failure_);
  return {};
}

Error KeyStore::failed(Error error) {
  std::lock_guard lock(failure_mutex_);
  if (!failure_) failure_ = error.message;
  return error;
}

std::expected<void, Error> KeyStore::scan(
    std::string_view prefix,
    const std::function<std::expected<void, Error>(std::string_view key, std::string_view value)>& visit) const {
  if (!db_) return {};
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions()));
  std::string key, value;
  for (it->Seek(slice(prefix)); it->Valid() && ledger::copy_key(*it, key).starts_with(prefix); it->Next()) {
    auto visited = visit(key, ledger::copy_value(*it, value));
    if (!visited) return visited;
  }
  if (!it->status().ok()) return std::unexpected(store_error("cannot scan the key store", it->status()));
  return {};
}

std::expected<void, Error> KeyStore::rewrite_files() {
  if (!writable()) return fail(ErrorCode::read_only, "the key store is open read-only");
  if (auto stopped = this->stopped(); !stopped) return stopped;
  rocksdb::FlushOptions flush;
  flush.wait = true;
  flush.allow_write_stall = true;
  auto status = db_->Flush(flush);
  if (!status.ok()) return std::unexpected(failed(store_error("cannot flush the key store", status)));
  // kForce: the bottommost level is rewritten too, which is where tombstones drop the values
  // they shadow (by default a manual compaction leaves the bottommost level alone).
  rocksdb::CompactRangeOptions compact;
  compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
  compact.exclusive_manual_compaction = true;
  compact.allow_write_stall = true;
  status = db_->CompactRange(compact, nullptr, nullptr);
  if (!status.ok()) return std::unexpected(failed(store_error("cannot compact the key store", status)));

  std::vector<std::string> left;
  for (int attempt = 0; attempt < kPurgeAttempts; ++attempt) {
    // Re-enabling file deletions runs a full-scan purge of obsolete files in this thread.
    status = db_->DisableFileDeletions();
    if (!status.ok()) return std::unexpected(store_error("cannot purge the key store's files", status));
    status = db_->EnableFileDeletions(/*force=*/true);
    if (!status.ok()) return std::unexpected(store_error("cannot purge the key store's files", status));
    auto obsolete = obsolete_files();
    if (!obsolete) return std::unexpected(obsolete.error());
    if (obsolete->empty()) return {};
    left = std::move(*obsolete);
    // Still held by a reader's view or by a purge in flight: both end shortly.
    std::this_thread::sleep_for(kPurgePause);
  }
  std::string names;
  for (const auto& name : left) names += " " + name;
  return fail(ErrorCode::io_error, "obsolete files of the key store were not deleted:" + names);
}

std::expected<std::vector<std::string>, Error> KeyStore::obsolete_files() const {
  // The directory first, the live sets second: a file made in between is live, not obsolete.
  std::vector<std::string> children;
  auto status = db_->GetEnv()->GetChildren(directory_, &children);
  if (!status.ok()) return std::unexpected(store_error("cannot list " + directory_, status));
  std::set<std::string> live;
  std::vector<rocksdb::LiveFileMetaData> tables;
  db_->GetLiveFilesMetaData(&tables);
  for (const auto& table : tables) live.insert(base_name(table.name));
  rocksdb::VectorLogPtr logs;
  status = db_->GetSortedWalFiles(logs);
  if (!status.ok()) return std::unexpected(store_error("cannot list the key store's logs", status));
  for (const auto& log : logs) {
    if (log->Type() == rocksdb::kAliveLogFile) live.insert(base_name(log->PathName()));
  }
  // GetSortedWalFiles leaves out logs without a record, the current one (just switched to by
  // the flush) included: it and any newer log are live.
  std::unique_ptr<rocksdb::LogFile> current;
  status = db_->GetCurrentWalFile(&current);
  if (!status.ok()) return std::unexpected(store_error("cannot find the key store's current log", status));
  const auto current_number = current->LogNumber();
  std::vector<std::string> obsolete;
  for (const auto& child : children) {
    const auto name = base_name(child);
    if (live.contains(name)) continue;
    // An empty file holds no byte of any key: RocksDB may keep an empty log a while longer.
    std::uint64_t size = 0;
    if (db_->GetEnv()->GetFileSize(directory_ + "/" + name, &size).ok() && size == 0) continue;
    if (name.ends_with(".sst")) obsolete.push_back(name);
    if (name.ends_with(".log") && std::strtoull(name.c_str(), nullptr, 10) < current_number) obsolete.push_back(name);
  }
  return obsolete;
}

}  // namespace orgledger::vault
