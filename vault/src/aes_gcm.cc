#include "aes_gcm.h"

#include <openssl/evp.h>

#include <climits>
#include <memory>

#include "errors.h"

namespace orgledger::vault {
namespace {

struct ContextFree {
  void operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }
};
using Context = std::unique_ptr<EVP_CIPHER_CTX, ContextFree>;

const unsigned char* bytes(std::string_view text) { return reinterpret_cast<const unsigned char*>(text.data()); }
unsigned char* bytes(std::string& text) { return reinterpret_cast<unsigned char*>(text.data()); }

std::unexpected<Error> openssl_failed(const char* step) {
  return fail(ErrorCode::io_error, std::string("AES-256-GCM: OpenSSL failed to ") + step);
}

// EVP takes int lengths.
bool fits(std::string_view text) { return text.size() <= static_cast<std::size_t>(INT_MAX) - kTagBytes; }

}  // namespace

void GcmSealer::ContextFree::operator()(EVP_CIPHER_CTX* context) const { EVP_CIPHER_CTX_free(context); }

std::expected<GcmSealer, Error> GcmSealer::keyed(KeyView key) {
  GcmSealer sealer;
  sealer.context_.reset(EVP_CIPHER_CTX_new());
  if (!sealer.context_) return openssl_failed("allocate a context");
  // The key now, the nonce per value: the key schedule is done once.
  if (EVP_EncryptInit_ex(sealer.context_.get(), EVP_aes_256_gcm(), nullptr, key.data(), nullptr) != 1) {
    return openssl_failed("initialise encryption");
  }
  return sealer;
}

std::expected<std::string, Error> GcmSealer::seal(std::string_view nonce, std::string_view aad, std::string_view plaintext) {
  if (nonce.size() != kNonceBytes) return fail(ErrorCode::invalid_argument, "AES-256-GCM: the nonce is not 12 bytes");
  if (!fits(aad) || !fits(plaintext)) return fail(ErrorCode::invalid_argument, "AES-256-GCM: input too large");
  EVP_CIPHER_CTX* context = context_.get();
  // 12 bytes is GCM's default IV length, so no EVP_CTRL_GCM_SET_IVLEN is needed.
  if (EVP_EncryptInit_ex(context, nullptr, nullptr, nullptr, bytes(nonce)) != 1) return openssl_failed("set the nonce");
  int length = 0;
  if (!aad.empty() && EVP_EncryptUpdate(context, nullptr, &length, bytes(aad), static_cast<int>(aad.size())) != 1) {
    return openssl_failed("add the AAD");
  }
  std::string sealed(plaintext.size() + kTagBytes, '\0');
  int written = 0;
  if (!plaintext.empty() &&
      EVP_EncryptUpdate(context, bytes(sealed), &written, bytes(plaintext), static_cast<int>(plaintext.size())) != 1) {
    return openssl_failed("encrypt");
  }
  if (EVP_EncryptFinal_ex(context, bytes(sealed) + written, &length) != 1) return openssl_failed("finish");
  if (static_cast<std::size_t>(written + length) != plaintext.size()) return openssl_failed("encrypt every byte");
  if (EVP_CIPHER_CTX_ctrl(context, EVP_CTRL_GCM_GET_TAG, static_cast<int>(kTagBytes), bytes(sealed) + plaintext.size()) != 1) {
    return openssl_failed("produce the tag");
  }
  return sealed;
}

std::expected<std::string, Error> gcm_seal(KeyView key, std::string_view nonce, std::string_view aad,
                                           std::string_view plaintext) {
  auto sealer = GcmSealer::keyed(key);
  if (!sealer) return std::unexpected(sealer.error());
  return sealer->seal(nonce, aad, plaintext);
}

std::expected<std::string, Error> gcm_open(KeyView key, std::string_view nonce, std::string_view aad,
                                           std::string_view sealed) {
  if (nonce.size() != kNonceBytes) return fail(ErrorCode::invalid_argument, "AES-256-GCM: the nonce is not 12 bytes");
  if (sealed.size() < kTagBytes) return fail(ErrorCode::corrupt, "AES-256-GCM: shorter than its tag");
  if (!fits(aad) || !fits(sealed)) return fail(ErrorCode::invalid_argument, "AES-256-GCM: input too large");
  const std::string_view ciphertext = sealed.substr(0, sealed.size() - kTagBytes);
  std::string tag(sealed.substr(ciphertext.size()));
  Context context(EVP_CIPHER_CTX_new());
  if (!context) return openssl_failed("allocate a context");
  if (EVP_DecryptInit_ex(context.get(), EVP_aes_256_gcm(), nullptr, key.data(), bytes(nonce)) != 1) {
    return openssl_failed("initialise decryption");
  }
  int length = 0;
  if (!aad.empty() && EVP_DecryptUpdate(context.get(), nullptr, &length, bytes(aad), static_cast<int>(aad.size())) != 1) {
    return openssl_failed("add the AAD");
  }
  std::string plaintext(ciphertext.size(), '\0');
  int written = 0;
  if (!ciphertext.empty() && EVP_DecryptUpdate(context.get(), bytes(plaintext), &written, bytes(ciphertext),
                                               static_cast<int>(ciphertext.size())) != 1) {
    wipe(plaintext);
    return openssl_failed("decrypt");
  }
  if (EVP_CIPHER_CTX_ctrl(context.get(), EVP_CTRL_GCM_SET_TAG, static_cast<int>(kTagBytes), bytes(tag)) != 1) {
    wipe(plaintext);
    return openssl_failed("set the tag");
  }
  // The tag is checked here; until it verifies, the decrypted bytes are untrusted and wiped.
  if (EVP_DecryptFinal_ex(context.get(), bytes(plaintext) + written, &length) != 1) {
    wipe(plaintext);
    return fail(ErrorCode::corrupt, "AES-256-GCM: the tag does not verify");
  }
  return plaintext;
}

}  // namespace orgledger::vault
