// AES-256-GCM through OpenSSL's EVP interface: the one cipher of the vault, for personal values
// (AAD = the subject, G1) and for wrapping data keys under the master key (AAD = the key's id).
#pragma once

#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "orgledger/vault/vault.h"
#include "secret.h"

namespace orgledger::vault {

inline constexpr std::size_t kNonceBytes = 12;
inline constexpr std::size_t kTagBytes = 16;

using KeyView = std::span<const std::uint8_t, kKeyBytes>;

// The ciphertext of `plaintext` followed by its 16-byte tag. `nonce` must be 12 bytes and never
// reused with the same key (callers draw it at random). Errors: invalid_argument (sizes),
// io_error (OpenSSL failed).
std::expected<std::string, Error> gcm_seal(KeyView key, std::string_view nonce, std::string_view aad,
                                           std::string_view plaintext);

// Seals many values under one key with its key schedule done once (a refill wraps a thousand data
// keys under the master key). Not thread-safe; the same contract as gcm_seal per value.
class GcmSealer {
 public:
  // Errors: io_error (OpenSSL failed).
  static std::expected<GcmSealer, Error> keyed(KeyView key);
  std::expected<std::string, Error> seal(std::string_view nonce, std::string_view aad, std::string_view plaintext);

 private:
  struct ContextFree {
    void operator()(struct evp_cipher_ctx_st* context) const;
  };
  std::unique_ptr<struct evp_cipher_ctx_st, ContextFree> context_;
};

// The plaintext of `sealed` (ciphertext ‖ tag). corrupt when the tag does not verify (altered
// bytes, another key, another AAD): no unauthenticated byte is ever returned.
std::expected<std::string, Error> gcm_open(KeyView key, std::string_view nonce, std::string_view aad,
                                           std::string_view sealed);

}  // namespace orgledger::vault
