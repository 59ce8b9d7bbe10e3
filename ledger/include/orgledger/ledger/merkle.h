// The log as an RFC 6962 Merkle tree (API.md, "The Merkle tree and signed checkpoints"): leaf i is
// the event at position i + 1, its hash SHA-256(0x00 ‖ stored envelope bytes); an inner node is
// SHA-256(0x01 ‖ left ‖ right); roots and proofs are RFC 6962 §2.1's MTH, PATH and PROOF.
//
// The tree is kept as its perfect subtrees ("stored subtree roots"): node (level, index) is the
// root of leaves [index·2^level, (index+1)·2^level). Appending leaf i completes node (0, i) and, for
// each trailing 1 bit of i, one node more above it: at most log2(n) + 1 nodes, computed from the
// left siblings on the tree's right edge (RightEdge). Every range the RFC's recursions ask for splits into such nodes,
// so a root or a proof costs O(log n) node reads, never a rebuild.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <span>
#include <vector>

#include "orgledger/ledger/types.h"

namespace orgledger::ledger {

// Reads a stored node; nullopt when it is not stored (a node of leaves beyond the tree's size).
using NodeReader = std::function<std::optional<Hash>(unsigned level, std::uint64_t index)>;

// SHA-256(0x00 ‖ leaf bytes) and SHA-256(0x01 ‖ left ‖ right).
Hash leaf_hash(std::span<const std::uint8_t> leaf);
Hash node_hash(const Hash& left, const Hash& right);

// The tree's right edge: per level, the perfect subtree still waiting for its right sibling — all
// that appending needs, and the root of the leaves so far. For a tree of n leaves it holds node
// (l, (n >> l) - 1) for each 1 bit l of n.
class RightEdge {
 public:
  RightEdge() = default;
  // The edge of the first `size` leaves, read through `read`. Errors: corrupt (a node missing).
  static std::expected<RightEdge, Error> of(std::uint64_t size, const NodeReader& read);

  // Appends a leaf; `completed(level, index, hash)` is called for each node it completes, from
  // the leaf (level 0) up: one more for each trailing 1 bit of its index.
  template <typename Completed>
  void append(const Hash& leaf, Completed&& completed) {
    Hash hash = leaf;
    std::uint64_t index = size_++;
    unsigned level = 0;
    completed(level, index, hash);
    for (; index & 1; index >>= 1, ++level) {
      hash = node_hash(*pending_[level], hash);
      pending_[level].reset();
      completed(level + 1, index >> 1, hash);
    }
    if (pending_.size() <= level) pending_.resize(level + 1);
    pending_[level] = hash;
  }

  std::uint64_t size() const { return size_; }
  // MTH of the leaves so far (zeros for none), from the edge alone.
  Hash root() const;

 private:
  std::vector<std::optional<Hash>> pending_;
  std::uint64_t size_ = 0;
};

// MTH of the first `size` leaves (size ≥ 1). Errors: invalid_argument (size 0), corrupt (a node
// missing).
std::expected<Hash, Error> tree_root(std::uint64_t size, const NodeReader& read);
// PATH(index, D[0:size]): the siblings from the leaf up (0 ≤ index < size).
std::expected<std::vector<Hash>, Error> inclusion_path(std::uint64_t index, std::uint64_t size, const NodeReader& read);
// PROOF(from, D[0:to]) (1 ≤ from ≤ to; empty when from == to).
std::expected<std::vector<Hash>, Error> consistency_path(std::uint64_t from, std::uint64_t to, const NodeReader& read);

}  // namespace orgledger::ledger
