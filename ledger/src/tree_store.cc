#include "tree_store.h"

#include "orgledger/ledger/recorded_event.h"
#include "store_layout.h"

namespace orgledger::ledger {

std::optional<Hash> TreeStore::stored(unsigned level, std::uint64_t index) const {
  if (store_.tree() == nullptr) return std::nullopt;
  if (level == 0) {
    // A leaf's hash is its event's: derived, not stored (half the tree's writes).
    auto value = store_.get(store_.events(), layout::position_key(index + 1));
    if (!value || !*value) return std::nullopt;
    auto event = RecordedEvent::from_stored(index + 1, std::move(**value));
    if (!event) return std::nullopt;
    return leaf_hash(event->envelope_bytes());
  }
  auto value = store_.get(store_.tree(), layout::tree_key(level, index));
  if (!value || !*value || (*value)->size() != Hash{}.size()) return std::nullopt;
  Hash out{};
  std::copy((*value)->begin(), (*value)->end(), out.begin());
  return out;
}

std::expected<void, Error> TreeStore::load_edge() {
  auto edge = RightEdge::of(size(), [this](unsigned level, std::uint64_t index) { return stored(level, index); });
  if (!edge) return std::unexpected(edge.error());
  sealed_edge_ = *edge;
  staged_edge_ = *edge;
  return {};
}

std::expected<void, Error> TreeStore::stage(std::span<const std::uint8_t> envelope, rocksdb::WriteBatch& batch) {
  if (store_.tree() == nullptr || !sealed_edge_) {
    return std::unexpected(Error{ErrorCode::read_only, "the tree's right edge is not loaded"});
  }
  staged_edge_.append(leaf_hash(envelope), [&](unsigned level, std::uint64_t index, const Hash& hash) {
    if (level == 0) return;  // a leaf's hash is derived from its event
    batch.Put(store_.tree(), layout::tree_key(level, index),
              rocksdb::Slice(reinterpret_cast<const char*>(hash.data()), hash.size()));
  });
  return {};
}

void TreeStore::stage_size(rocksdb::WriteBatch& batch) const {
  const auto size = sealed_edge_ ? staged_edge_.size() : this->size();
  batch.Put(store_.tree(), layout::kTreeSizeKey, layout::position_key(size));
}

std::uint64_t TreeStore::seal() {
  if (!sealed_edge_) return size();
  sealed_edge_ = staged_edge_;
  return staged_edge_.size();
}

void TreeStore::abandoned() {
  if (sealed_edge_) staged_edge_ = *sealed_edge_;
}

void TreeStore::committed(std::uint64_t size) { size_.store(size, std::memory_order_release); }

std::expected<void, Error> TreeStore::backfill(Position head) {
  constexpr std::size_t kChunk = 4096;
  if (!sealed_edge_) {
    if (auto loaded = load_edge(); !loaded) return loaded;
  }
  while (size() < head) {
    rocksdb::WriteBatch batch;
    const Position from = size() + 1;
    const Position to = std::min<Position>(head, from + kChunk - 1);
    for (Position position = from; position <= to; ++position) {
      auto value = store_.get(store_.events(), layout::position_key(position));
      if (!value) return std::unexpected(value.error());
      if (!*value) return std::unexpected(Error{ErrorCode::corrupt, "no event to add to the tree", position});
      auto event = RecordedEvent::from_stored(position, std::move(**value));
      if (!event) return std::unexpected(event.error());
      if (auto staged = stage(event->envelope_bytes(), batch); !staged) return staged;
    }
    stage_size(batch);
    const std::uint64_t sealed_size = seal();
    rocksdb::WriteOptions synced;
    synced.sync = true;
    if (auto status = store_.db().Write(synced, &batch); !status.ok()) {
      // Nothing is staged after it: the store's writer has not started, and stops for good here.
      return std::unexpected(io_error("the tree's backfill", status));
    }
    committed(sealed_size);
  }
  return {};
}

std::expected<std::uint64_t, Error> stored_tree_size(const Store& store, Position head) {
  if (store.tree() == nullptr || head == 0) return 0;
  auto recorded = store.get(store.tree(), layout::kTreeSizeKey);
  if (!recorded) return std::unexpected(recorded.error());
  if (*recorded) {
    const auto size = layout::parse_position_key(**recorded);
    if (!size) return std::unexpected(Error{ErrorCode::corrupt, "the tree's recorded size is malformed"});
    return std::min<std::uint64_t>(*size, head);
  }
  // The first stores with a tree recorded no size but stored every leaf hash, in order.
  auto has_leaf = [&](std::uint64_t index) -> std::expected<bool, Error> {
    auto value = store.get(store.tree(), layout::tree_key(0, index));
    if (!value) return std::unexpected(value.error());
    return value->has_value();
  };
  // Leaves are written in order: the stored ones are a prefix. The first missing one, by halves.
  std::uint64_t low = 0, high = head;  // leaves < low are stored, leaves ≥ high are not
  auto last = has_leaf(head - 1);
  if (!last) return std::unexpected(last.error());
  if (*last) return head;
  high = head - 1;
  while (low < high) {
    const std::uint64_t middle = low + (high - low) / 2;
    auto present = has_leaf(middle);
    if (!present) return std::unexpected(present.error());
    if (*present) low = middle + 1;
    else high = middle;
  }
  return low;
}

}  // namespace orgledger::ledger
