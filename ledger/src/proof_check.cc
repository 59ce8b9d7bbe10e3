// RFC 9162's verification algorithms, step for step: `index` and `last` walk up the tree as the
// path is consumed; a node is a left child while its index is even and it is not the last one.
#include "orgledger/ledger/proof_check.h"

#include "orgledger/ledger/merkle.h"

namespace orgledger::ledger {

namespace {

bool odd(std::uint64_t n) { return (n & 1) != 0; }

// Right-shifts both until `index` is odd or 0: the levels where the node is its subtree's whole
// right edge and has no sibling to hash with.
void climb_while_even(std::uint64_t& index, std::uint64_t& last) {
  while (!odd(index) && index != 0) {
    index >>= 1;
    last >>= 1;
  }
}

}  // namespace

bool inclusion_verifies(const Hash& leaf, std::uint64_t index, std::uint64_t size, std::span<const Hash> path,
                        const Hash& root) {
  if (index >= size) return false;
  std::uint64_t last = size - 1;
  Hash hash = leaf;
  for (const auto& sibling : path) {
    if (last == 0) return false;  // a path longer than the tree is high
    if (odd(index) || index == last) {
      hash = node_hash(sibling, hash);
      climb_while_even(index, last);
    } else {
      hash = node_hash(hash, sibling);
    }
    index >>= 1;
    last >>= 1;
  }
  return last == 0 && hash == root;
}

bool consistency_verifies(std::uint64_t from, std::uint64_t to, const Hash& from_root, const Hash& to_root,
                          std::span<const Hash> path) {
  if (from == 0 || from > to) return false;
  if (from == to) return path.empty() && from_root == to_root;
  if (path.empty()) return false;
  // When `from` is a power of two its root is a node of the new tree, and the path leaves it out:
  // the walk starts from it (the RFC prepends it to the path).
  const bool from_is_a_node = (from & (from - 1)) == 0;
  std::uint64_t index = from - 1;
  std::uint64_t last = to - 1;
  while (odd(index)) {
    index >>= 1;
    last >>= 1;
  }
  Hash old_hash = from_is_a_node ? from_root : path.front();
  Hash new_hash = old_hash;
  for (const auto& node : path.subspan(from_is_a_node ? 0 : 1)) {
    if (last == 0) return false;
    if (odd(index) || index == last) {
      old_hash = node_hash(node, old_hash);
      new_hash = node_hash(node, new_hash);
      climb_while_even(index, last);
    } else {
      new_hash = node_hash(new_hash, node);
    }
    index >>= 1;
    last >>= 1;
  }
  return last == 0 && old_hash == from_root && new_hash == to_root;
}

}  // namespace orgledger::ledger
