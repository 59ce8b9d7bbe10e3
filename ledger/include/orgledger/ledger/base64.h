// Standard base64 (RFC 4648 §4, with padding): exports' envelopes, identity documents (K2),
// checkpoints' root hashes and signatures (C2SP signed notes).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace orgledger::ledger {

std::string base64(std::span<const std::uint8_t> bytes);
inline std::string base64(std::string_view bytes) {
  return base64(std::span(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size()));
}
// The decoded bytes; nullopt for anything but canonical padded base64 (no spaces, no line breaks).
std::optional<std::string> decode_base64(std::string_view text);

}  // namespace orgledger::ledger
