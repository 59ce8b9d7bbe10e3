// The `snapshots` column family (store_layout.h): key := name 0x00 position chunk_number.
#include "orgledger/ledger/snapshot_records.h"

#include <rocksdb/db.h>
#include <rocksdb/write_batch.h>

#include "ledger_impl.h"
#include "store_layout.h"

namespace orgledger::ledger {

std::expected<void, Error> SnapshotRecords::put(std::string_view name, Position position,
                                                const std::vector<std::string>& chunks) {
  const Ledger::Impl& ledger = *ledger_.impl_;
  Store* const store = &ledger.store();
  const OpenMode mode = ledger.mode();
  if (mode == OpenMode::read_only || store->snapshots() == nullptr) {
    return std::unexpected(Error{ErrorCode::read_only, "the ledger was opened read-only"});
  }
  rocksdb::WriteBatch batch;
  // A snapshot at the same position replaces the old one whole: none of its chunks may remain.
  const std::string first = layout::snapshot_key(name, position, 0);
  const std::string past = layout::snapshot_key(name, position + 1, 0);
  batch.DeleteRange(store->snapshots(), first, past);
  for (std::uint32_t i = 0; i < chunks.size(); ++i) batch.Put(store->snapshots(), layout::snapshot_key(name, position, i), chunks[i]);
  rocksdb::WriteOptions durable;
  durable.sync = true;
  const auto status = store->db().Write(durable, &batch);
  if (!status.ok()) return std::unexpected(io_error("cannot store the snapshot", status));
  return {};
}

std::expected<std::vector<Position>, Error> SnapshotRecords::positions(std::string_view name) const {
  const Store* const store = &ledger_.impl_->store();
  std::vector<Position> positions;
  if (store->snapshots() == nullptr) return positions;
  const std::string prefix = layout::snapshot_prefix(name);
  std::unique_ptr<rocksdb::Iterator> it(store->db().NewIterator(rocksdb::ReadOptions(), store->snapshots()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    const auto key = it->key().ToStringView().substr(prefix.size());
    if (key.size() != 12) continue;  // not a key of this layout: ignored, never trusted
    const auto position = layout::parse_position_key(key.substr(0, 8));
    if (position && (positions.empty() || positions.back() != *position)) positions.push_back(*position);
  }
  if (!it->status().ok()) return std::unexpected(io_error("cannot list the snapshots", it->status()));
  return positions;
}

std::expected<std::vector<std::string>, Error> SnapshotRecords::read(std::string_view name, Position position) const {
  const Store* const store = &ledger_.impl_->store();
  std::vector<std::string> chunks;
  if (store->snapshots() == nullptr) return chunks;
  const std::string prefix = layout::snapshot_prefix(name) + layout::position_key(position);
  std::unique_ptr<rocksdb::Iterator> it(store->db().NewIterator(rocksdb::ReadOptions(), store->snapshots()));
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) chunks.push_back(it->value().ToString());
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
  std::string end = prefix;
  end.push_back('\xff');
  end += std::string(4, '\xff');
  const auto status = store->db().DeleteRange(rocksdb::WriteOptions(), store->snapshots(), prefix, end);
  if (!status.ok()) return std::unexpected(io_error("cannot delete the snapshot", status));
  return {};
}

}  // namespace orgledger::ledger
