// The Merkle tree's nodes in the store (merkle.h, store_layout.h's `tree` family): staged by the
// writer in each group commit's batch beside the events they cover, read back for roots and
// proofs, and built for the events of a store written before the tree existed.
#pragma once

#include <rocksdb/write_batch.h>

#include <atomic>
#include <cstdint>
#include <expected>
#include <optional>
#include <span>

#include "orgledger/ledger/merkle.h"
#include "store.h"

namespace orgledger::ledger {

class TreeStore {
 public:
  // Over an open store whose tree holds the first `size` leaves.
  TreeStore(Store& store, std::uint64_t size) : store_(store), size_(size) {}

  // Reads the tree's right edge (≤ log2 n nodes) from the store: needed before the first stage.
  // Errors: corrupt (a node of the edge missing), the store's.
  [[nodiscard]] std::expected<void, Error> load_edge();
  // Writer thread. Adds the next leaf (the stored envelope of position size + 1) and puts the
  // inner nodes it completes in `batch`; its left siblings are on the tree's right edge, kept in
  // memory. Errors: read_only (no tree family, or the edge not loaded).
  [[nodiscard]] std::expected<void, Error> stage(std::span<const std::uint8_t> envelope, rocksdb::WriteBatch& batch);
  // Records the staged size in `batch` (once per group, after its leaves).
  void stage_size(rocksdb::WriteBatch& batch) const;
  // Writer thread. The leaves staged so far are one group's, to be written: the next group stages
  // after them whether or not this one is durable yet (the pipelined writer). Returns the size to
  // hand to committed() once it is.
  std::uint64_t seal();
  // The group being staged is dropped: the edge goes back to the last sealed group's end.
  void abandoned();
  // A sealed group is durable: readers may now ask for the first `size` leaves. Any thread.
  void committed(std::uint64_t size);
  // The leaves durable in the tree. Thread-safe (readers check sizes against it).
  std::uint64_t size() const { return size_.load(std::memory_order_acquire); }

  // A node as stored (thread-safe; a read of the store). A leaf (level 0) is hashed from its event.
  std::optional<Hash> stored(unsigned level, std::uint64_t index) const;

  // Writes the nodes of every event after the tree's leaves up to `head` (a store from before the
  // tree: its first open), in synced batches. Errors: the store's.
  [[nodiscard]] std::expected<void, Error> backfill(Position head);

 private:
  Store& store_;
  std::atomic<std::uint64_t> size_;
  std::optional<RightEdge> sealed_edge_;  // load_edge(): the edge at the last sealed group's end
  RightEdge staged_edge_;                 // the sealed edge plus the group being staged
};

// How many leaves the stored tree of `store` holds: its recorded size, or for a store of the first
// build with a tree (which recorded none, and stored leaf hashes), the longest prefix of level 0.
std::expected<std::uint64_t, Error> stored_tree_size(const Store& store, Position head);

}  // namespace orgledger::ledger
