// Whole-log verification (D1, API.md `orgledger verify`).
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/types.h"

namespace orgledger::ledger {

struct VerifyReport {
  bool ok = false;
  std::uint64_t checked = 0;  // events found intact, from position 1 on
  Head head;                  // the head the store records (meta), whether or not it holds
  std::optional<Position> first_bad_position;
  std::string problem;        // what is wrong at first_bad_position ("" when ok)
  // The Merkle tree (issue 14): the leaves whose stored nodes were rebuilt from the events and
  // compared (0 for a store whose tree was never built), and the first leaf under a stored node
  // that does not match.
  std::uint64_t tree_leaves_checked = 0;
  std::optional<std::uint64_t> first_bad_leaf;
  std::string tree_problem;
  // The RFC 6962 root of the first `root_at` events, computed from the events alone; nullopt
  // when not asked, or when the chain broke before it.
  std::optional<Hash> root_at;
};

struct VerifyOptions {
  std::optional<std::uint64_t> root_at;  // a checkpoint's size: compute the tree's root there
  Env* env = nullptr;                    // the files' seam (env.h); null: Env::system()
};

// Walks the whole log in `directory`: every value verified as a FlatBuffers envelope naming its
// own position, positions gapless from 1 to the recorded head, every prev_hash equal to the
// previous stored hash and every stored hash recomputed; every stored node of the Merkle tree
// rebuilt from the events and compared. `ok` only when both hold. Opens the store read-only and never
// repairs or marks anything; may run beside a writing process (then it checks the log as of open).
// Errors: not_found (no ledger there), io_error.
[[nodiscard]] std::expected<VerifyReport, Error> verify_ledger(const std::string& directory,
                                                              const VerifyOptions& options = {});

}  // namespace orgledger::ledger
