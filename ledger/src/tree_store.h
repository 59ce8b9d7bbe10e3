// The Merkle tree's nodes in the store (merkle.h, store_layout.h's `tree` family): staged by the
// writer in each group commit's batch beside the events they cover, read back for roots and
// proofs, and built for the events of a store written before the tree existed.
#pragma once

#include <rocksdb/write_batch.h>

#include <atomic>
#include <cstdint>
#include <expected>
#include <map>
#include <optional>
#include <span>
#include <utility>

#include "orgledger/ledger/merkle.h"
#include "store.h"

namespace orgledger::ledger {

class TreeStore {
 public:
  // Over an open store whose tree holds the first `size` leaves.
  TreeStore(Store& store, std::uint64_t size) : store_(store), size_(size), staged_size_(size) {}

  // Writer thread. Adds the next leaf (the stored envelope of position size + 1) and the nodes it
  // completes to `batch`; its left siblings come from what is staged, the tree's right edge kept in
  // memory, or (after an open) the store.
  [[nodiscard]] std::expected<void, Error> stage(std::span<const std::uint8_t> envelope, rocksdb::WriteBatch& batch);
  // The staged nodes are durable (they become the right edge), or were never written.
  void committed();
  void abandoned();
  // The leaves durable in the tree. Thread-safe (readers check sizes against it).
  std::uint64_t size() const { return size_.load(std::memory_order_acquire); }

  // A node as stored (thread-safe; a read of the store).
  std::optional<Hash> stored(unsigned level, std::uint64_t index) const;

  // Writes the nodes of every event after the tree's leaves up to `head` (a store from before the
  // tree: its first open), in synced batches. Errors: the store's.
  [[nodiscard]] std::expected<void, Error> backfill(Position head);

 private:
  std::optional<Hash> node(unsigned level, std::uint64_t index) const;
  Store& store_;
  std::atomic<std::uint64_t> size_;
  std::uint64_t staged_size_;
  std::map<std::pair<unsigned, std::uint64_t>, Hash> staged_;
  std::map<unsigned, std::pair<std::uint64_t, Hash>> edge_;  // per level, its newest node
};

// How many leaves the stored tree of `store` holds (the longest prefix of level 0).
std::expected<std::uint64_t, Error> stored_tree_size(const Store& store, Position head);

}  // namespace orgledger::ledger
