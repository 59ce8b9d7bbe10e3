#include "store.h"

#include "orgledger/ledger/store_copy.h"

#include <algorithm>

#include <rocksdb/cache.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/table.h>

#include <cstring>
#include <filesystem>

#include "fail_stop_listener.h"
#include "orgledger/ledger/iterator_bytes.h"
#include "orgledger/ledger/small_files.h"
#include "store_layout.h"

namespace orgledger::ledger {
namespace {

// The stream id of a `streams` key (everything up to its 0x00): each stream's versions arrive in
// order, so the memtable can insert next to the stream's previous entry instead of searching.
class StreamOfKey final : public rocksdb::SliceTransform {
 public:
  const char* Name() const override { return "orgledger.StreamOfKey"; }
  rocksdb::Slice Transform(const rocksdb::Slice& key) const override {
    const auto* end = static_cast<const char*>(std::memchr(key.data(), '\0', key.size()));
    return {key.data(), static_cast<std::size_t>(end - key.data())};
  }
  bool InDomain(const rocksdb::Slice& key) const override {
    return std::memchr(key.data(), '\0', key.size()) != nullptr;
  }
};

enum class Family { events, streams, commands, tree, snapshots, other };

// The store's memory has one bound, whatever the log's length (the soak of issue 17 found it
// growing with the log): the families share one block cache, which also holds every table's index
// and filter blocks (outside it, RocksDB keeps those of every open table for good, one reader per
// file), and the memtables of all families together have a budget (kMemtableBytes, Store::open).
constexpr std::size_t kBlockCacheBytes = 64 << 20;
constexpr std::size_t kMemtableBytes = 128 << 20;

rocksdb::BlockBasedTableOptions table_options(const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = cache;
  table.cache_index_and_filter_blocks = true;
  // Level 0's tables are the newest and searched on every read: theirs stay.
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  return table;
}

rocksdb::ColumnFamilyOptions family_options(Family family, const std::shared_ptr<rocksdb::Cache>& cache) {
  rocksdb::ColumnFamilyOptions options;
  rocksdb::BlockBasedTableOptions table = table_options(cache);
  // Insert hints (below) make appending in key order cheap: the memtable's comparisons were the
  // writer's largest cost.
  if (family == Family::events) {
    options.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(4));
  }
  if (family == Family::tree) {
    // Each group appends nodes at several levels: one hint per level (the key's first byte) keeps
    // each level's inserts in order, instead of a fresh search of the skip list for every node.
    options.memtable_insert_with_hint_prefix_extractor.reset(rocksdb::NewFixedPrefixTransform(1));
  }
  if (family == Family::streams) {
    const auto stream_of_key = std::make_shared<StreamOfKey>();
    options.memtable_insert_with_hint_prefix_extractor = stream_of_key;
    // The writer asks for the version of streams that mostly do not exist yet (a new user,
    // organization, ticket): Bloom filters on the stream id answer "none" without a search in
    // the memtable or a block read. Every reader of this family stays within one stream.
    options.prefix_extractor = stream_of_key;
    options.memtable_prefix_bloom_size_ratio = 0.05;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    table.whole_key_filtering = false;
  }
  if (family == Family::commands) {
    // Nearly every lookup of a command id (idempotency, once per command) finds nothing: Bloom
    // filters answer that without searching the memtable's skip list or reading a block.
    options.memtable_prefix_bloom_size_ratio = 0.05;
    options.memtable_whole_key_filtering = true;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }
  if (family == Family::snapshots) {
    // A snapshot is one ingested table of hundreds of MiB, and an old one goes as whole files
    // (SnapshotRecords::remove). Compactions would only rewrite them: measured, they took a core
    // for seconds after every snapshot, beside the writer and a start-up's rebuild (issue 15).
    options.disable_auto_compactions = true;
  }
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  return options;
}

std::vector<rocksdb::ColumnFamilyDescriptor> family_descriptors(const std::shared_ptr<rocksdb::Cache>& cache) {
  return {
      {layout::kEventsFamily, family_options(Family::events, cache)},
      {layout::kStreamsFamily, family_options(Family::streams, cache)},
      {layout::kCommandsFamily, family_options(Family::commands, cache)},
      {layout::kMetaFamily, family_options(Family::other, cache)},
      {rocksdb::kDefaultColumnFamilyName, family_options(Family::other, cache)},
      {layout::kTokensFamily, family_options(Family::other, cache)},     // added after format 1's first stores
      {layout::kSnapshotsFamily, family_options(Family::snapshots, cache)},  // likewise
      {layout::kTreeFamily, family_options(Family::tree, cache)},       // added with the Merkle tree (issue 14)
      {layout::kCheckpointsFamily, family_options(Family::other, cache)},  // likewise
  };
}

// A read-only open may not create families: it asks only for those the store already has (a
// store made before the tokens family existed has none), keeping their order.
std::vector<rocksdb::ColumnFamilyDescriptor> existing_descriptors(const rocksdb::DBOptions& options,
                                                                  const std::string& directory,
                                                                  const std::shared_ptr<rocksdb::Cache>& cache) {
  std::vector<std::string> names;
  if (!rocksdb::DB::ListColumnFamilies(options, directory, &names).ok()) return family_descriptors(cache);
  std::vector<rocksdb::ColumnFamilyDescriptor> present;
  for (auto& descriptor : family_descriptors(cache)) {
    if (std::find(names.begin(), names.end(), descriptor.name) != names.end()) present.push_back(std::move(descriptor));
  }
  return present;
}

}  // namespace

Error io_error(const std::string& what, const rocksdb::Status& status) {
  return Error{ErrorCode::io_error, what + ": " + status.ToString()};
}

std::expected<std::unique_ptr<Store>, Error> Store::open(const std::string& directory, OpenMode mode, Env& os) {
  // A complete copy of a peer's store (issue 18) is installed, or its install finished, before
  // RocksDB opens: it would otherwise make a new store where the copy's CURRENT is not yet.
  if (mode != OpenMode::read_only) {
    if (auto installed = install_store_copy(os, directory); !installed) return std::unexpected(installed.error());
  }
  const auto base = os.file_system();
  const bool exists = base->FileExists(directory + "/CURRENT", rocksdb::IOOptions(), nullptr).ok();
  if (mode == OpenMode::read_only && !exists) {
    return std::unexpected(Error{ErrorCode::not_found, "no ledger in " + directory});
  }
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.max_background_jobs = 2;
  options.paranoid_checks = true;
  // One writer thread writes every batch, so concurrent memtable writes buy nothing, and they
  // would disable the insert hints.
  options.allow_concurrent_memtable_write = false;
  options.keep_log_file_num = 4;
  // After a failed write or sync the store stays stopped until it is reopened: no automatic resume
  // (fail_stop_listener.h says what one did to a write batch), retryable errors included.
  options.listeners.push_back(std::make_shared<FailStopListener>());
  options.max_bgerror_resume_count = 0;
  // Every sync goes through the watch (sync_watch.h), over the caller's file system or the default.
  std::unique_ptr<Store> store(new Store());
  store->os_ = &os;
  store->sync_watch_ = std::make_shared<SyncWatch>(base);
  store->env_ = rocksdb::NewCompositeEnv(store->sync_watch_);
  options.env = store->env_.get();
  // Compactions run at a lower CPU priority than everything else: on a small machine they would
  // otherwise take the cores that answer requests, and show as tail latency that grows with the
  // store. Flushes (the HIGH pool) keep their priority, so writes never wait on them longer.
  options.env->LowerThreadPoolCPUPriority(rocksdb::Env::Priority::LOW, rocksdb::CpuPriority::kLow);
  // Only `events` fills its memtable quickly; the small families would pin every WAL file and make
  // each open (verify, readers, recovery) replay gigabytes. Past this size RocksDB flushes them.
  options.max_total_wal_size = 128 << 20;
  // Past this, RocksDB flushes the family with the oldest memtable, whichever it is (the memory
  // bound above).
  options.db_write_buffer_size = kMemtableBytes;
  // 4 shards of 16 MiB. By default a 64 MiB cache has 64 shards of 1 MiB, and a block larger than
  // its shard is evicted by the next insert: the Bloom filter of a full 64 MiB `commands` table is
  // about 1.5 MiB, so every idempotency lookup on the writer read it again from the file (the
  // 30-minute soak: commands fell from 1 000/s to 60/s once that table existed, ≈ 1.4 M events).
  const auto cache = rocksdb::NewLRUCache(kBlockCacheBytes, /*num_shard_bits=*/2);

  rocksdb::DB* raw = nullptr;
  rocksdb::Status status;
  if (mode == OpenMode::read_write) {
    if (auto created = create_directories(os, directory); !created) return std::unexpected(created.error());
    status = rocksdb::DB::Open(options, directory, family_descriptors(cache), &store->families_, &raw);
  } else {
    auto present = existing_descriptors(options, directory, cache);
    // The log's four families come first (store.h's accessors index them): a store killed while it
    // was being created may lack some, and is no ledger yet — not one to read through a null handle.
    const auto expected = family_descriptors(cache);
    for (std::size_t i = 0; i < 4; ++i) {
      if (present.size() <= i || present[i].name != expected[i].name) {
        return std::unexpected(Error{ErrorCode::not_found, "no ledger in " + directory + " (its creation was never finished)"});
      }
    }
    status = rocksdb::DB::OpenForReadOnly(options, directory, present, &store->families_, &raw);
  }
  if (!status.ok()) return std::unexpected(io_error("cannot open the ledger in " + directory, status));
  store->db_.reset(raw);
  store->writable_ = mode == OpenMode::read_write;
  store->directory_ = directory;

  auto format = store->get(store->meta(), rocksdb::Slice(layout::kFormatVersionKey.data(), layout::kFormatVersionKey.size()));
  if (!format) return std::unexpected(format.error());
  if (!*format) {
    if (mode == OpenMode::read_only) {
      return std::unexpected(Error{ErrorCode::not_found, "no ledger format recorded in " + directory});
    }
    rocksdb::WriteOptions durable;
    durable.sync = true;
    status = store->db_->Put(durable, store->meta(),
                             rocksdb::Slice(layout::kFormatVersionKey.data(), layout::kFormatVersionKey.size()),
                             rocksdb::Slice(layout::kFormatVersion.data(), layout::kFormatVersion.size()));
    if (!status.ok()) return std::unexpected(io_error("cannot initialise the ledger", status));
  } else if (**format != layout::kFormatVersion) {
    return std::unexpected(Error{ErrorCode::io_error, "unknown ledger format version '" + **format + "'"});
  }
  return store;
}

const char* Store::layout_tokens() { return layout::kTokensFamily; }
const char* Store::layout_snapshots() { return layout::kSnapshotsFamily; }
const char* Store::layout_tree() { return layout::kTreeFamily; }
const char* Store::layout_checkpoints() { return layout::kCheckpointsFamily; }

rocksdb::ColumnFamilyHandle* Store::family_named(const char* name) const {
  for (auto* family : families_) {
    if (family->GetName() == name) return family;
  }
  return nullptr;
}

rocksdb::Status Store::stopped() const {
  if (auto failure = sync_failure()) return rocksdb::Status::IOError("the store stopped after a failed write or sync: " + *failure);
  return rocksdb::Status::OK();
}

Store::~Store() {
  if (db_ && writable_ && stopped().ok()) {
    // Leave nothing to replay: the next open, often a read-only one, starts at once.
    rocksdb::FlushOptions flush;
    (void)db_->Flush(flush, families_);
  }
  for (auto* family : families_) {
    if (db_) db_->DestroyColumnFamilyHandle(family);
  }
  if (db_) db_->Close();
}

std::expected<std::optional<std::string>, Error> Store::get(rocksdb::ColumnFamilyHandle* family,
                                                           const rocksdb::Slice& key) const {
  std::string value;
  const auto status = db_->Get(rocksdb::ReadOptions(), family, key, &value);
  if (status.IsNotFound()) return std::nullopt;
  if (!status.ok()) return std::unexpected(io_error("read failed", status));
  return value;
}

std::expected<Head, Error> Store::recorded_head() const {
  auto value = get(meta(), rocksdb::Slice(layout::kHeadKey.data(), layout::kHeadKey.size()));
  if (!value) return std::unexpected(value.error());
  if (!*value) return Head{};
  auto head = layout::decode_head(**value);
  if (!head) return std::unexpected(Error{ErrorCode::corrupt, "the recorded head is malformed"});
  return *head;
}

std::expected<Position, Error> Store::last_event_key() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), events()));
  it->SeekToLast();
  if (!it->status().ok()) return std::unexpected(io_error("read failed", it->status()));
  if (!it->Valid()) return Position{0};
  auto position = layout::parse_position_key(key_string(*it));
  if (!position) return std::unexpected(Error{ErrorCode::corrupt, "malformed event key at the end of the log"});
  return *position;
}

std::expected<StreamVersion, Error> Store::stream_version(std::string_view stream) const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), streams()));
  it->SeekForPrev(layout::stream_last_key(stream));
  if (!it->status().ok()) return std::unexpected(io_error("read failed", it->status()));
  if (!it->Valid()) return StreamVersion{0};
  return layout::parse_stream_key(key_string(*it), stream).value_or(0);
}

}  // namespace orgledger::ledger
