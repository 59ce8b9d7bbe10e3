// Every checkpoint signed for a log, kept in its store (column family `checkpoints`, keyed by
// tree size), so that `orgledger checkpoint --at-size N` can answer for the past. The notes are
// stored as signed; checking them against the tree is the checkpointer's and verify's business.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "orgledger/ledger/ledger.h"

namespace orgledger::ledger {

struct StoredCheckpoint {
  std::uint64_t size = 0;
  std::string note;  // the C2SP signed note (signed_note.h)
};

class CheckpointLog {
 public:
  // Over `ledger`'s store; `ledger` must outlive it.
  explicit CheckpointLog(const Ledger& ledger) : ledger_(ledger) {}

  // Stores `note` as the checkpoint of `size`, durably (sync). Thread-safe. Errors: read_only,
  // io_error.
  [[nodiscard]] std::expected<void, Error> put(std::uint64_t size, std::string_view note);
  // The stored checkpoint of exactly `size`; nullopt when none was signed at that size.
  [[nodiscard]] std::expected<std::optional<std::string>, Error> at_size(std::uint64_t size) const;
  // The largest stored checkpoint; nullopt before the first.
  [[nodiscard]] std::expected<std::optional<StoredCheckpoint>, Error> latest() const;

 private:
  const Ledger& ledger_;
};

}  // namespace orgledger::ledger
