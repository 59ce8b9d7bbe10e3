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

std::shared_ptr<EVP_PKEY> key_of_seed(std::span<const std::uint8_t, 32> seed) {
  return std::shared_ptr<EVP_PKEY>(EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()),
                                   EVP_PKEY_free);
}

// `key` as an unencrypted PEM PKCS#8 private key (what `openssl genpkey` writes).
std::expected<std::string, Error> pem_of(EVP_PKEY* key, const std::string& path) {
  Bio out(BIO_new(BIO_s_mem()), BIO_free);
  if (key == nullptr || !out || PEM_write_bio_PrivateKey(out.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return std::unexpected(Error{ErrorCode::io_error, "cannot encode a checkpoint key for " + path});
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(out.get(), &data);
  return std::string(data, static_cast<std::size_t>(size));
}

// The PEM of a new private key drawn from `random`.
std::expected<std::string, Error> new_key_pem(const std::string& path, Random& random) {
  std::array<std::uint8_t, 32> seed{};
  if (!random.fill(seed)) return std::unexpected(Error{ErrorCode::io_error, "no randomness for a new checkpoint key"});
  auto key = key_of_seed(seed);
  OPENSSL_cleanse(seed.data(), seed.size());
  return pem_of(key.get(), path);
}

}  // namespace

std::expected<CheckpointKey, Error> CheckpointKey::of(std::shared_ptr<EVP_PKEY> key, const std::string& where) {
  if (!key) return std::unexpected(bad_key(where, "is not a PEM private key without a passphrase"));
  if (EVP_PKEY_get_id(key.get()) != EVP_PKEY_ED25519) return std::unexpected(bad_key(where, "is not an Ed25519 key"));
  CheckpointKey loaded;
  std::size_t length = loaded.public_key_.size();
  if (EVP_PKEY_get_raw_public_key(key.get(), loaded.public_key_.data(), &length) != 1 || length != loaded.public_key_.size()) {
    return std::unexpected(bad_key(where, "has no Ed25519 public key"));
  }
  loaded.key_ = std::move(key);
  return loaded;
}

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
  return of(std::move(key), path);
}

std::expected<CheckpointKey, Error> CheckpointKey::from_seed(std::span<const std::uint8_t, 32> seed) {
  auto key = key_of_seed(seed);
  if (!key) return std::unexpected(Error{ErrorCode::io_error, "cannot make an Ed25519 key of a seed"});
  return of(std::move(key), "given as a seed");
}

std::expected<std::array<std::uint8_t, 32>, Error> CheckpointKey::seed() const {
  std::array<std::uint8_t, 32> seed{};
  std::size_t length = seed.size();
  if (EVP_PKEY_get_raw_private_key(key_.get(), seed.data(), &length) != 1 || length != seed.size()) {
    return std::unexpected(Error{ErrorCode::io_error, "cannot read the checkpoint key's seed"});
  }
  return seed;
}

std::expected<void, Error> CheckpointKey::save(Env& env, const std::string& path) const {
  auto pem = pem_of(key_.get(), path);
  if (!pem) return std::unexpected(pem.error());
  auto written = create_small_file(env, path, *pem, /*owner_only=*/true);
  OPENSSL_cleanse(pem->data(), pem->size());
  return written;
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
