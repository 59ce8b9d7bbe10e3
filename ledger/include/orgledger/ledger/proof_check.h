// Checking RFC 6962 proofs as an outsider does (RFC 9162 §2.1.3.2 and §2.1.4.2): from a leaf hash
// and its audit path to a root, and from an old root to a new one. Pure functions, no store: what
// `orgledger proof --server` runs on the server's answer before trusting it.
#pragma once

#include <cstdint>
#include <span>

#include "orgledger/ledger/types.h"

namespace orgledger::ledger {

// True when `path` leads from `leaf` (leaf_hash of leaf `index`) to `root` of a tree of `size`
// leaves. False for index ≥ size, a path too short or too long, or any hash that does not match.
bool inclusion_verifies(const Hash& leaf, std::uint64_t index, std::uint64_t size, std::span<const Hash> path,
                        const Hash& root);

// True when `path` proves that the tree of `from` leaves with `from_root` is a prefix of the tree
// of `to` leaves with `to_root` (1 ≤ from ≤ to; for from == to the path is empty and the roots
// equal).
bool consistency_verifies(std::uint64_t from, std::uint64_t to, const Hash& from_root, const Hash& to_root,
                          std::span<const Hash> path);

}  // namespace orgledger::ledger
