#include "tree_checker.h"

#include <algorithm>
#include <cstring>

#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/iterator_bytes.h"
#include "orgledger/ledger/merkle.h"
#include "store_layout.h"

namespace orgledger::ledger {

std::optional<TreeProblem> TreeChecker::add(std::span<const std::uint8_t> envelope) {
  std::optional<TreeProblem> problem;
  edge_.append(leaf_hash(envelope), [&](unsigned level, std::uint64_t index, const Hash& hash) {
    if (!problem) problem = compare(level, index, hash);
  });
  return problem;
}

std::optional<TreeProblem> TreeChecker::compare(unsigned level, std::uint64_t index, const Hash& computed) {
  // Only inner nodes wholly over the stored tree's leaves exist to compare (a leaf's hash is its
  // event's, which the chain checks).
  if (level == 0 || failed_ || store_.tree() == nullptr || ((index + 1) << level) > checked_leaves_) return std::nullopt;
  if (levels_.size() <= level) levels_.resize(level + 1);
  auto& it = levels_[level];
  const std::string key = layout::tree_key(level, index);
  if (!it) {
    rocksdb::ReadOptions options;
    options.verify_checksums = true;
    options.fill_cache = false;
    it.reset(store_.db().NewIterator(options, store_.tree()));
    it->Seek(key);
  } else {
    it->Next();
  }
  const std::uint64_t first_leaf = index << level;
  const auto fail = [&](const std::string& what) {
    failed_ = true;
    return TreeProblem{first_leaf, "tree node (level " + std::to_string(level) + ", index " + std::to_string(index) + ") " + what};
  };
  if (!it->status().ok()) return fail("unreadable: " + it->status().ToString());
  if (!it->Valid() || key_string(*it) != key) return fail("is missing");
  const std::string value = value_string(*it);
  if (value.size() != computed.size() || std::memcmp(value.data(), computed.data(), computed.size()) != 0) {
    Hash stored{};
    std::memcpy(stored.data(), value.data(), std::min(stored.size(), value.size()));
    return fail("does not match the events under it: stored " + to_hex(stored) + ", computed " + to_hex(computed));
  }
  return std::nullopt;
}

}  // namespace orgledger::ledger
