// The value of a `k/<key_id>` record of the key store (grammar: key_store.cc): a data key wrapped
// by the master key with AES-256-GCM (G1), bound to its id so records cannot be swapped.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "aes_gcm.h"
#include "master_key.h"

namespace orgledger::vault {

inline constexpr char kKeyRecordFormat = 0x01;
inline constexpr std::size_t kKeyRecordBytes = 1 + kMasterIdBytes + kNonceBytes + kKeyBytes + kTagBytes;

// "orgledger-vault-key/" ‖ key id: the AAD of a wrap.
std::string key_record_aad(std::string_view key_id);

// The record for `data_key` wrapped under `master` with `nonce` (12 fresh random bytes).
std::expected<std::string, Error> wrap_key(const MasterKey& master, std::string_view key_id,
                                           std::span<const std::uint8_t, kKeyBytes> data_key, std::string_view nonce);

// As wrap_key, with `sealer` keyed by `master` (many wraps, one key schedule).
std::expected<std::string, Error> wrap_key_with(GcmSealer& sealer, const MasterKey& master, std::string_view key_id,
                                                std::span<const std::uint8_t, kKeyBytes> data_key, std::string_view nonce);

// The id of the master key that wrapped `record`; nullopt when the record is malformed.
std::optional<std::string_view> record_master_id(std::string_view record);

// The data key of `record`. corrupt: malformed, or the tag fails (altered, or moved to another
// id); bad_master_key: wrapped under another master key than `master`.
std::expected<SecretKey, Error> unwrap_key(const MasterKey& master, std::string_view key_id, std::string_view record);

}  // namespace orgledger::vault
