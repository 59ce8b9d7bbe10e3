// Key material that wipes itself: every copy of an unwrapped key the vault holds (cache, pool,
// unwrap results) is one of these, so freed memory does not keep keys that forget() destroyed (G2).
#pragma once

#include <openssl/crypto.h>

#include <array>
#include <cstdint>
#include <span>
#include <string>

namespace orgledger::vault {

inline constexpr std::size_t kKeyBytes = 32;  // AES-256

struct SecretKey {
  std::array<std::uint8_t, kKeyBytes> bytes{};

  SecretKey() = default;
  SecretKey(const SecretKey&) = default;
  SecretKey& operator=(const SecretKey&) = default;
  ~SecretKey() { OPENSSL_cleanse(bytes.data(), bytes.size()); }

  std::span<const std::uint8_t, kKeyBytes> view() const { return bytes; }
};

// Overwrites a buffer that held key material (hex text, a decrypted key) before it is freed.
inline void wipe(std::string& buffer) {
  if (!buffer.empty()) OPENSSL_cleanse(buffer.data(), buffer.size());
  buffer.clear();
}

}  // namespace orgledger::vault
