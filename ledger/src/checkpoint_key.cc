#include "orgledger/ledger/checkpoint_key.h"

#include <openssl/bio.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include <array>
#include <filesystem>

namespace orgledger::ledger {
namespace {

using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

Error bad_key(const std::string& path, const std::string& why) {
  return Error{ErrorCode::invalid_argument, "the checkpoint key " + path + " " + why};
}

// The PEM of a new private key drawn from `random`.
std::expected<std::string, Error> new_key_pem(const std::string& path, Random& random) {
  std::array<std::uint8_t, 32> seed{};
  if (!random.fill(seed)) return std::unexpected(Error{ErrorCode::io_error, "no randomness for a new checkpoint key"});
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()), EVP_PKEY_free);
  OPENSSL_cleanse(seed.data(), seed.size());
  Bio out(BIO_new(BIO_s_mem()), BIO_free);
  if (!key || !out || PEM_write_bio_PrivateKey(out.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return std::unexpected(Error{ErrorCode::io_error, "cannot encode a new checkpoint key for " + path});
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

}  // namespace

std::expected<CheckpointKey, Error> CheckpointKey::load(Env& env, const std::string& path, bool create) {
  auto pem = read_small_file(env, path);
  if (!pem) return std::unexpected(pem.error());
  if (!*pem) {
    if (!create) return std::unexpected(Error{ErrorCode::not_found, "no checkpoint key at " + path});
    auto fresh = new_key_pem(path, env.random());
    if (!fresh) return std::unexpected(fresh.error());
    // 0600: whoever reads this key can sign as the log.
    if (auto written = create_small_file(env, path, *fresh, /*owner_only=*/true); !written) return std::unexpected(written.error());
    *pem = std::move(*fresh);
  }
  Bio in(BIO_new_mem_buf((*pem)->data(), static_cast<int>((*pem)->size())), BIO_free);
  // No passphrase: a key encrypted with one is refused, never prompted for on a terminal.
  auto no_passphrase = [](char*, int, int, void*) -> int { return -1; };
  std::shared_ptr<EVP_PKEY> key(in ? PEM_read_bio_PrivateKey(in.get(), nullptr, no_passphrase, nullptr) : nullptr, EVP_PKEY_free);
  OPENSSL_cleanse((*pem)->data(), (*pem)->size());
  if (!key) return std::unexpected(bad_key(path, "is not a PEM private key without a passphrase"));
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) return std::unexpected(bad_key(path, "is not an Ed25519 key"));
  CheckpointKey loaded;
  std::size_t length = loaded.public_key_.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), loaded.public_key_.data(), &length) != 1 || length != loaded.public_key_.size()) {
    return std::unexpected(bad_key(path, "has no Ed25519 public key"));
  }
  loaded.key_ = std::move(key);
  return loaded;
}

std::expected<std::string, Error> CheckpointKey::sign(std::string_view message) const {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  std::string signature(64, '\0');
  std::size_t length = signature.size();
  if (!context || EVP_DigestSignInit(context.get(), nullptr, nullptr, nullptr, key_.get()) != 1 ||
      EVP_DigestSign(context.get(), reinterpret_cast<unsigned char*>(signature.data()), &length,
                     reinterpret_cast<const unsigned char*>(message.data()), message.size()) != 1 ||
      length != signature.size()) {
    return std::unexpected(Error{ErrorCode::io_error, "Ed25519 signing failed"});
  }
  return signature;
}

std::string default_checkpoint_key_path(const std::string& data_directory) {
  return (std::filesystem::path(data_directory) / "checkpoint.key").string();
}

}  // namespace orgledger::ledger
