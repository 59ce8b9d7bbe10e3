// Small files beside the store, written durably: the checkpoint key (created once, mode 0600,
// never overwritten) and the signer's record of its latest checkpoint (replaced atomically). The
// file-system seam of what the ledger writes outside RocksDB; errors are io_error naming the path.
#pragma once

#include <cstdint>
#include <expected>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "orgledger/ledger/types.h"

namespace orgledger::ledger {

// The file's bytes; nullopt when it does not exist.
std::expected<std::optional<std::string>, Error> read_small_file(const std::string& path);
// Creates `path` with `mode` and `bytes`, fsyncs it and its directory. Fails if it exists.
std::expected<void, Error> create_small_file(const std::string& path, std::string_view bytes, unsigned mode);
// Writes `bytes` to `path`.tmp, fsyncs, renames over `path` and fsyncs the directory: a reader
// sees the old bytes or the new, never a mix.
std::expected<void, Error> replace_small_file(const std::string& path, std::string_view bytes);

// The seam randomness reaches the ledger through (the log id, a new checkpoint key): fills the
// span, false when no strong randomness could be had. Null: the system's (OpenSSL's RAND_bytes).
using RandomFill = std::function<bool(std::span<std::uint8_t>)>;
bool fill_random(const RandomFill& random, std::span<std::uint8_t> out);

}  // namespace orgledger::ledger
