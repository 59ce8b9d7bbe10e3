#include "orgledger/ledger/hash.h"

#include "sha256.h"

#include <openssl/evp.h>

#include <memory>
#include <stdexcept>

namespace orgledger::ledger {
namespace {

struct DigestContext {
  // Fetched once per thread: EVP_Digest's implicit fetch would cost more than hashing 250 bytes.
  EVP_MD* sha256 = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  EVP_MD_CTX* context = EVP_MD_CTX_new();
  ~DigestContext() {
    EVP_MD_CTX_free(context);
    EVP_MD_free(sha256);
  }
};

}  // namespace

Hash sha256(std::initializer_list<std::span<const std::uint8_t>> parts) {
  thread_local DigestContext digest;
  Hash out{};
  unsigned int length = 0;
  // A failure here means OpenSSL itself is broken: a bug or a fatal environment, not input.
  bool ok = digest.sha256 != nullptr && digest.context != nullptr &&
            EVP_DigestInit_ex2(digest.context, digest.sha256, nullptr) == 1;
  for (const auto& part : parts) ok = ok && EVP_DigestUpdate(digest.context, part.data(), part.size()) == 1;
  if (!ok || EVP_DigestFinal_ex(digest.context, out.data(), &length) != 1 || length != out.size()) {
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
  return out;
}

Hash chain_hash(const Hash& previous, std::span<const std::uint8_t> envelope) {
  return sha256({previous, envelope});
}

std::string to_hex(const Hash& hash) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(hash.size() * 2);
  for (std::uint8_t byte : hash) {
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0x0F]);
  }
  return hex;
}

std::optional<Hash> hash_from_hex(std::string_view hex) {
  if (hex.size() != 64) return std::nullopt;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  Hash hash{};
  for (std::size_t i = 0; i < hash.size(); ++i) {
    const int high = nibble(hex[2 * i]);
    const int low = nibble(hex[2 * i + 1]);
    if (high < 0 || low < 0) return std::nullopt;
    hash[i] = static_cast<std::uint8_t>(high << 4 | low);
  }
  return hash;
}

}  // namespace orgledger::ledger
