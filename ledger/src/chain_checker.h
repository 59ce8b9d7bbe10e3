// Checks a run of stored events against the chain, in position order. Shared by verify_ledger
// (the whole log) and by open-for-writing (the tail), so both judge the log by one rule.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/types.h"

namespace orgledger::ledger {

struct ChainProblem {
  Position position;
  std::string problem;
};

class ChainChecker {
 public:
  // Expects `first` next, following an event whose stored hash is `previous`.
  ChainChecker(Position first, const Hash& previous) : expected_(first), previous_(previous) {}

  // Checks the value stored under `key`: the position it should have, a well-formed envelope
  // naming it, prev_hash equal to the previous stored hash, and the stored hash recomputed.
  std::optional<ChainProblem> check(std::string_view key, std::string_view stored);

  // After the last event: did the run reach the recorded head, with the recorded hash?
  std::optional<ChainProblem> finish(const Head& recorded) const;

  // The position expected next (so checked events = next_position() - first).
  Position next_position() const { return expected_; }

 private:
  Position expected_;
  Hash previous_;
  // RocksDB hands out values at any address; FlatBuffers reads them as aligned words. Each value
  // is copied here (heap memory, suitably aligned, its capacity reused) before it is looked at.
  std::string aligned_;
};

}  // namespace orgledger::ledger
