// The answers of the Merkle tree's proofs (API.md "The Merkle tree and signed checkpoints"), the
// same for GET /v1/tree/* and `orgledger proof`: hashes in lowercase hex.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "orgledger/ledger/ledger.h"

namespace orgledger::api {

// {"position", "leaf_index", "tree_size", "leaf_hash", "root_hash", "path"}. Without `tree_size`:
// `signed_size` (the latest checkpoint's) when it holds the position, else the head. Errors:
// invalid_argument (a position or size of 0 or beyond the head, a position beyond the tree), the
// ledger's.
std::expected<nlohmann::json, ledger::Error> inclusion_proof_json(const ledger::Ledger& ledger, std::uint64_t position,
                                                                  std::optional<std::uint64_t> tree_size,
                                                                  std::uint64_t signed_size);

// {"from", "to", "from_root", "to_root", "path"}. Errors: invalid_argument (a size of 0 or beyond
// the head, from > to), the ledger's.
std::expected<nlohmann::json, ledger::Error> consistency_proof_json(const ledger::Ledger& ledger, std::uint64_t from,
                                                                    std::uint64_t to);

// Checks a proof as an outsider does (`orgledger proof --server`): an object of exactly one of the
// two shapes above, every hash 64 lowercase hex digits, then the path against the roots (RFC 9162,
// ledger/proof_check.h). Errors: what is malformed, or "does not verify".
std::expected<void, std::string> check_proof_json(const nlohmann::json& proof);

}  // namespace orgledger::api
