// The SHA-256 hash chain (D1): hash(n) = SHA-256(hash(n-1) ‖ envelope bytes(n)), hash(0) = zeros.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "orgledger/ledger/types.h"

namespace orgledger::ledger {

inline constexpr Hash kZeroHash{};

// The hash of the event whose envelope is `envelope`, following the event hashed `previous`.
// Thread-safe (one OpenSSL context per thread).
Hash chain_hash(const Hash& previous, std::span<const std::uint8_t> envelope);

// Lower-case hex, 64 characters.
std::string to_hex(const Hash& hash);
// Inverse of to_hex; nullopt unless exactly 64 hex digits.
std::optional<Hash> hash_from_hex(std::string_view hex);

}  // namespace orgledger::ledger
