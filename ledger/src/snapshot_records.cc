// The `snapshots` column family (store_layout.h): key := name 0x00 position chunk_number.
#include "orgledger/ledger/snapshot_records.h"

#include <limits>
#include <rocksdb/convenience.h>
#include <rocksdb/db.h>
#include <rocksdb/rate_limiter.h>
#include <rocksdb/sst_file_writer.h>
#include <rocksdb/table.h>

#include "ledger_impl.h"
#include "orgledger/ledger/iterator_bytes.h"
#include "store_layout.h"

namespace orgledger::ledger {

namespace {

// 64 MiB/s: a 256 MiB snapshot takes 4 s, and 16 writers' appends keep a p99 within 2× of theirs
// without a snapshot (bench/snapshot_stall_bench), where unpaced it was 13×.
constexpr std::int64_t kSnapshotBytesPerSecond = 64 << 20;

// Whether any chunk of `name` at `position` is stored.
std::expected<bool, Error> exists(const Store& store, std::string_view name, Position position) {
  const std::string prefix = layout::snapshot_prefix(name) + layout::position_key(position);
  std::unique_ptr<rocksdb::Iterator> it(store.db().NewIterator(rocksdb::ReadOptions(), store.snapshots()));
  it->Seek(prefix);
  if (!it->status().ok()) return std::unexpected(io_error("cannot read the snapshots", it->status()));
  return it->Valid() && key_string(*it).starts_with(prefix);
}

// Writes the chunks as one table file, synced, at `path` (keys in order: chunk numbers ascend).
std::expected<void, Error> write_table(const Store& store, const std::string& path, std::string_view name,
                                       Position position, const std::vector<std::string>& chunks, SnapshotPace pace) {
  rocksdb::Options options;
  options.env = store.env();
  // Written back a MiB at a time as it goes, rather than all at the final sync: one fsync of
  // hundreds of MiB would hold the device, and the events' WAL syncs, for its whole length.
  options.bytes_per_sync = 1 << 20;
  // And paced: a snapshot is not urgent, the appends sharing the device are.
  if (pace == SnapshotPace::background) options.rate_limiter.reset(rocksdb::NewGenericRateLimiter(kSnapshotBytesPerSecond));
  // Each chunk in a block of its own. With the default 4 KiB blocks the small first chunk (the
  // header) shared its block with the next, hundreds of KiB: listing the snapshots, or reading a
  // header to decide whether a snapshot is worth reading, decompressed that chunk too (measured:
  // ~45 ms a snapshot, most of a question about abuse reports as of a past point).
  rocksdb::BlockBasedTableOptions table;
  table.block_size = 1;
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::SstFileWriter writer(rocksdb::EnvOptions(options), options, store.snapshots(), /*invalidate_page_cache=*/true,
                                rocksdb::Env::IO_LOW);
  auto status = writer.Open(path);
  for (std::uint32_t i = 0; status.ok() && i < chunks.size(); ++i) {
    status = writer.Put(layout::snapshot_key(name, position, i), chunks[i]);
  }
  if (status.ok()) status = writer.Finish();  // syncs the file
  if (!status.ok()) return std::unexpected(io_error("cannot write the snapshot's table", status));
  return {};
}

}  // namespace

std::expected<void, Error> SnapshotRecords::put(std::string_view name, Position position,
                                                const std::vector<std::string>& chunks, SnapshotPace pace) {
  const Ledger::Impl& ledger = *ledger_.impl_;
  Store& store = ledger.store();
  if (ledger.mode() == OpenMode::read_only || store.snapshots() == nullptr) {
    return std::unexpected(Error{ErrorCode::read_only, "the ledger was opened read-only"});
  }
  // A snapshot at the same position is replaced whole: none of its chunks may remain. (Rare: the
  // one taken at shutdown where a periodic one stands.)
  auto replacing = exists(store, name, position);
  if (!replacing) return std::unexpected(replacing.error());
  if (*replacing) {
    if (auto removed = remove(name, position); !removed) return removed;
  }
  if (chunks.empty()) return {};
  // Written as a table file outside the events' WAL and memtable, then ingested into the store
  // (issue 15): appends never queue behind a snapshot's hundreds of MiB, nor its memtable flush.
  const std::string directory = store.directory() + "/ingest";
  if (auto status = store.env()->CreateDirIfMissing(directory); !status.ok()) {
    return std::unexpected(io_error("cannot create " + directory, status));
  }
  const std::string path = directory + "/snapshot-" + std::to_string(position) + ".sst";
  (void)store.env()->DeleteFile(path);  // a table left by a put cut short
  auto written = write_table(store, path, name, position, chunks, pace);
  rocksdb::Status status = store.stopped();
  if (written && status.ok()) {
    rocksdb::IngestExternalFileOptions ingest;
    ingest.move_files = true;           // linked into the store, not copied
    ingest.write_global_seqno = false;  // the file is never rewritten after it is synced
    status = store.db().IngestExternalFile(store.snapshots(), {path}, ingest);
  }
  (void)store.env()->DeleteFile(path);  // the store holds its own link once ingested
  if (!written) return written;
  if (!status.ok()) return std::unexpected(io_error("cannot ingest the snapshot", status));
  return {};
}

std::expected<std::vector<Position>, Error> SnapshotRecords::positions(std::string_view name) const {
  const Store* const store = &ledger_.impl_->store();
  std::vector<Position> positions;
  if (store->snapshots() == nullptr) return positions;
  const std::string prefix = layout::snapshot_prefix(name);
  // One Seek per snapshot, to its first chunk (a block of its own: small), then past its last:
  // the other chunks' blocks, hundreds of KiB each, are never read. The bound keeps the iterator
  // from loading the next name's first block.
  const std::string end = layout::prefix_end_key(prefix);
  const rocksdb::Slice upper(end);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper;
  std::unique_ptr<rocksdb::Iterator> it(store->db().NewIterator(options, store->snapshots()));
  std::string key_bytes;
  for (it->Seek(prefix); it->Valid();) {
    const auto key = copy_key(*it, key_bytes).substr(prefix.size());
    const auto position = key.size() == 12 ? layout::parse_position_key(key.substr(0, 8)) : std::nullopt;
    if (!position) {  // not a key of this layout: ignored, never trusted
      it->Next();
      continue;
    }
    positions.push_back(*position);
    if (*position == std::numeric_limits<Position>::max()) break;
    it->Seek(prefix + layout::position_key(*position + 1));
  }
  if (!it->status().ok()) return std::unexpected(io_error("cannot list the snapshots", it->status()));
  return positions;
}

std::expected<std::vector<std::string>, Error> SnapshotRecords::read(std::string_view name, Position position) const {
  const Store* const store = &ledger_.impl_->store();
  std::vector<std::string> chunks;
  if (store->snapshots() == nullptr) return chunks;
  const std::string prefix = layout::snapshot_prefix(name) + layout::position_key(position);
  const std::string end = layout::prefix_end_key(prefix);  // not a block of the next snapshot
  const rocksdb::Slice upper(end);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper;
  // Read once, at a start: hundreds of MiB that would push everything else out of the store's
  // one block cache (store.cc).
  options.fill_cache = false;
  std::unique_ptr<rocksdb::Iterator> it(store->db().NewIterator(options, store->snapshots()));
  for (it->Seek(prefix); it->Valid(); it->Next()) chunks.push_back(value_string(*it));
  if (!it->status().ok()) return std::unexpected(io_error("cannot read the snapshot", it->status()));
  return chunks;
}

std::expected<void, Error> SnapshotRecords::remove(std::string_view name, Position position) {
  const Ledger::Impl& ledger = *ledger_.impl_;
  Store* const store = &ledger.store();
  const OpenMode mode = ledger.mode();
  if (mode == OpenMode::read_only || store->snapshots() == nullptr) {
    return std::unexpected(Error{ErrorCode::read_only, "the ledger was opened read-only"});
  }
  const std::string prefix = layout::snapshot_prefix(name) + layout::position_key(position);
  rocksdb::WriteOptions durable;
  durable.sync = true;
  std::string end = prefix;
  end.push_back('\xff');
  end += std::string(4, '\xff');
  // The family is never compacted on its own (store.cc): the snapshot's table files go whole, then
  // a tombstone covers what other files still hold (the memtable, stores of earlier builds), and a
  // compaction of that range alone drops it, so tombstones never pile up.
  const rocksdb::Slice begin(prefix), limit(end);
  auto status = store->stopped();
  if (status.ok()) status = rocksdb::DeleteFilesInRange(&store->db(), store->snapshots(), &begin, &limit);
  if (status.ok()) status = store->db().DeleteRange(durable, store->snapshots(), prefix, end);
  if (status.ok()) status = store->db().CompactRange(rocksdb::CompactRangeOptions(), store->snapshots(), &begin, &limit);
  if (!status.ok()) return std::unexpected(io_error("cannot delete the snapshot", status));
  return {};
}

}  // namespace orgledger::ledger
