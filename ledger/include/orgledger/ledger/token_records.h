// API tokens' records beside the log, in the same store but a column family of their own
// (ARCHITECTURE.md, storage), keyed by the SHA-256 of the token. The records are opaque here; what
// they mean is api/token_store.h's. Kept out of Ledger's surface: the log does not know tokens.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orgledger/ledger/ledger.h"

namespace orgledger::ledger {

class TokenRecords {
 public:
  // Over `ledger`'s store; `ledger` must outlive it.
  explicit TokenRecords(Ledger& ledger) : ledger_(ledger) {}

  // Writes a record durably (sync), replacing the one of the same key. Errors: read_only (a
  // read-only ledger), io_error. Thread-safe.
  [[nodiscard]] std::expected<void, Error> put(const Hash& token_hash, std::string_view record);
  // Every stored record (none for a store that has never had any). Errors: corrupt (a key that is
  // not a hash), io_error.
  [[nodiscard]] std::expected<std::vector<std::pair<Hash, std::string>>, Error> all() const;

 private:
  Ledger& ledger_;
};

}  // namespace orgledger::ledger
