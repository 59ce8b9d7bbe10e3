// The log as an RFC 6962 Merkle tree (API.md, "The Merkle tree and signed checkpoints"): leaf i is
// the event at position i + 1, its hash SHA-256(0x00 ‖ stored envelope bytes); an inner node is
// SHA-256(0x01 ‖ left ‖ right); roots and proofs are RFC 6962 §2.1's MTH, PATH and PROOF.
//
// The tree is kept as its perfect subtrees ("stored subtree roots"): node (level, index) is the
// root of leaves [index·2^level, (index+1)·2^level). Appending leaf i completes node (0, i) and, for
// each trailing 1 bit of i, one node more above it: at most log2(n) + 1 nodes, computed from the
// left siblings already stored. Every range the RFC's recursions ask for splits into such nodes,
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

struct MerkleNode {
  unsigned level = 0;
  std::uint64_t index = 0;
  Hash hash{};
  bool operator==(const MerkleNode&) const = default;
};

// Reads a stored node; nullopt when it is not stored (a node of leaves beyond the tree's size).
using NodeReader = std::function<std::optional<Hash>(unsigned level, std::uint64_t index)>;

// SHA-256(0x00 ‖ leaf bytes) and SHA-256(0x01 ‖ left ‖ right).
Hash leaf_hash(std::span<const std::uint8_t> leaf);
Hash node_hash(const Hash& left, const Hash& right);

// The nodes that appending leaf `index` (hash `leaf`) completes, from level 0 up; the left siblings
// are read through `read`. Errors: corrupt when a sibling that must be stored is missing.
std::expected<std::vector<MerkleNode>, Error> nodes_completed_by(std::uint64_t index, const Hash& leaf,
                                                                 const NodeReader& read);

// MTH of the first `size` leaves (size ≥ 1). Errors: invalid_argument (size 0), corrupt (a node
// missing).
std::expected<Hash, Error> tree_root(std::uint64_t size, const NodeReader& read);
// PATH(index, D[0:size]): the siblings from the leaf up (0 ≤ index < size).
std::expected<std::vector<Hash>, Error> inclusion_path(std::uint64_t index, std::uint64_t size, const NodeReader& read);
// PROOF(from, D[0:to]) (1 ≤ from ≤ to; empty when from == to).
std::expected<std::vector<Hash>, Error> consistency_path(std::uint64_t from, std::uint64_t to, const NodeReader& read);

}  // namespace orgledger::ledger
