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
};

// Walks the whole log in `directory`: every value verified as a FlatBuffers envelope naming its
// own position, positions gapless from 1 to the recorded head, every prev_hash equal to the
// previous stored hash and every stored hash recomputed. Opens the store read-only and never
// repairs or marks anything; may run beside a writing process (then it checks the log as of open).
// Errors: not_found (no ledger there), io_error.
[[nodiscard]] std::expected<VerifyReport, Error> verify_ledger(const std::string& directory);

}  // namespace orgledger::ledger
