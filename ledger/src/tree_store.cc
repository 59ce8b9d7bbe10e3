#include "tree_store.h"

#include "orgledger/ledger/recorded_event.h"
#include "store_layout.h"

namespace orgledger::ledger {

std::optional<Hash> TreeStore::stored(unsigned level, std::uint64_t index) const {
  if (store_.tree() == nullptr) return std::nullopt;
  auto value = store_.get(store_.tree(), layout::tree_key(level, index));
  if (!value || !*value || (*value)->size() != Hash{}.size()) return std::nullopt;
  Hash out{};
  std::copy((*value)->begin(), (*value)->end(), out.begin());
  return out;
}

std::optional<Hash> TreeStore::node(unsigned level, std::uint64_t index) const {
  if (auto it = staged_.find({level, index}); it != staged_.end()) return it->second;
  if (auto it = edge_.find(level); it != edge_.end() && it->second.first == index) return it->second.second;
  return stored(level, index);
}

std::expected<void, Error> TreeStore::stage(std::span<const std::uint8_t> envelope, rocksdb::WriteBatch& batch) {
  if (store_.tree() == nullptr) return std::unexpected(Error{ErrorCode::read_only, "the store has no tree"});
  auto nodes = nodes_completed_by(staged_size_, leaf_hash(envelope),
                                  [this](unsigned level, std::uint64_t index) { return node(level, index); });
  if (!nodes) return std::unexpected(nodes.error());
  for (const auto& n : *nodes) {
    batch.Put(store_.tree(), layout::tree_key(n.level, n.index),
              rocksdb::Slice(reinterpret_cast<const char*>(n.hash.data()), n.hash.size()));
    staged_[{n.level, n.index}] = n.hash;
  }
  ++staged_size_;
  return {};
}

void TreeStore::committed() {
  // Only the newest node of each level is ever a left sibling again.
  for (const auto& [key, hash] : staged_) {
    auto& newest = edge_[key.first];
    if (key.second >= newest.first) newest = {key.second, hash};
  }
  staged_.clear();
  size_.store(staged_size_, std::memory_order_release);
}

void TreeStore::abandoned() {
  staged_.clear();
  staged_size_ = size();
}

std::expected<void, Error> TreeStore::backfill(Position head) {
  constexpr std::size_t kChunk = 4096;
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
    rocksdb::WriteOptions synced;
    synced.sync = true;
    if (auto status = store_.db().Write(synced, &batch); !status.ok()) {
      abandoned();
      return std::unexpected(io_error("the tree's backfill", status));
    }
    committed();
  }
  return {};
}

std::expected<std::uint64_t, Error> stored_tree_size(const Store& store, Position head) {
  if (store.tree() == nullptr || head == 0) return 0;
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
