// Lowercase hex for key ids and master key ids, and the parsing of hex master key files.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace orgledger::vault {

std::string to_hex(std::string_view bytes);
// The bytes of `hex` (either case, even length); nullopt when it is not hex.
std::optional<std::string> from_hex(std::string_view hex);
// A data key id: exactly 32 lowercase hex digits (16 random bytes).
bool is_key_id(std::string_view id);

}  // namespace orgledger::vault
