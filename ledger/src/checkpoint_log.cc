// The `checkpoints` column family (store_layout.h): key := tree size (8 bytes, big-endian),
// value := the signed note's text.
#include "orgledger/ledger/checkpoint_log.h"

#include <rocksdb/db.h>

#include "ledger_impl.h"
#include "orgledger/ledger/iterator_bytes.h"
#include "store_layout.h"

namespace orgledger::ledger {

std::expected<void, Error> CheckpointLog::put(std::uint64_t size, std::string_view note) {
  const Ledger::Impl& ledger = *ledger_.impl_;
  Store& store = ledger.store();
  if (ledger.mode() == OpenMode::read_only || store.checkpoints() == nullptr) {
    return std::unexpected(Error{ErrorCode::read_only, "the ledger was opened read-only"});
  }
  rocksdb::WriteOptions durable;
  durable.sync = true;
  auto status = store.stopped();
  if (status.ok()) status = store.db().Put(durable, store.checkpoints(), layout::position_key(size), rocksdb::Slice(note.data(), note.size()));
  if (!status.ok()) return std::unexpected(io_error("cannot store the checkpoint", status));
  return {};
}

std::expected<std::optional<std::string>, Error> CheckpointLog::at_size(std::uint64_t size) const {
  const Store& store = ledger_.impl_->store();
  if (store.checkpoints() == nullptr) return std::nullopt;
  return store.get(store.checkpoints(), layout::position_key(size));
}

std::expected<std::optional<StoredCheckpoint>, Error> CheckpointLog::latest() const {
  const Store& store = ledger_.impl_->store();
  if (store.checkpoints() == nullptr) return std::nullopt;
  std::unique_ptr<rocksdb::Iterator> it(store.db().NewIterator(rocksdb::ReadOptions(), store.checkpoints()));
  it->SeekToLast();
  if (!it->status().ok()) return std::unexpected(io_error("cannot read the checkpoints", it->status()));
  if (!it->Valid()) return std::nullopt;
  const auto size = layout::parse_position_key(key_string(*it));
  if (!size) return std::unexpected(Error{ErrorCode::corrupt, "a checkpoint key is not a tree size"});
  return StoredCheckpoint{*size, value_string(*it)};
}

}  // namespace orgledger::ledger
