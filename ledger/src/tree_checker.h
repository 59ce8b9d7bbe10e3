// Rebuilds the Merkle tree from the events, leaf by leaf in log order, and compares every inner
// node it completes with the stored one (verify: any altered tree byte is found). Keeps only the tree's
// right edge, and one iterator per level over the `tree` family, since each level's nodes
// complete in index order: a whole-log walk costs two hashes per event and no point reads.
#pragma once

#include <rocksdb/iterator.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "orgledger/ledger/merkle.h"
#include "orgledger/ledger/types.h"
#include "store.h"

namespace orgledger::ledger {

struct TreeProblem {
  std::uint64_t first_leaf;  // the first leaf under the node that does not match
  std::string problem;
};

class TreeChecker {
 public:
  // Compares nodes over the first `checked_leaves` leaves (the stored tree's size); leaves past it
  // are only hashed (for root_now).
  TreeChecker(const Store& store, std::uint64_t checked_leaves) : store_(store), checked_leaves_(checked_leaves) {}

  // Adds the next leaf: an event's stored envelope. Returns the first problem found, once.
  std::optional<TreeProblem> add(std::span<const std::uint8_t> envelope);
  // The RFC 6962 root of the leaves added so far, computed from the events alone (zeros for none).
  Hash root_now() const { return edge_.root(); }
  std::uint64_t leaves() const { return edge_.size(); }

 private:
  std::optional<TreeProblem> compare(unsigned level, std::uint64_t index, const Hash& computed);
  const Store& store_;
  const std::uint64_t checked_leaves_;
  bool failed_ = false;
  RightEdge edge_;
  std::vector<std::unique_ptr<rocksdb::Iterator>> levels_;
};

}  // namespace orgledger::ledger
