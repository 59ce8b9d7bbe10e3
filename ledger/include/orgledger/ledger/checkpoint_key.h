// The Ed25519 key that signs checkpoints (API.md): a PEM PKCS#8 private key file, the format
// `openssl genpkey -algorithm ed25519` writes, so an operator can make, inspect or back it up
// with the openssl command.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "orgledger/ledger/signed_note.h"
#include "orgledger/ledger/small_files.h"

struct evp_pkey_st;

namespace orgledger::ledger {

class CheckpointKey {
 public:
  // The key in `path`, read through `env`. When the file does not exist and `create` is set, a new
  // key is drawn from env's randomness and written there (mode 0600, never over an existing file).
  // Errors: not_found (missing, and not to be created), invalid_argument (not an Ed25519 private
  // key), io_error.
  static std::expected<CheckpointKey, Error> load(Env& env, const std::string& path, bool create);

  // The key whose Ed25519 private key (RFC 8032's 32-byte seed) is `seed`. Errors: io_error.
  static std::expected<CheckpointKey, Error> from_seed(std::span<const std::uint8_t, 32> seed);
  // This key's seed: what the nodes of a cluster share, wrapped (issue 18). Errors: io_error.
  std::expected<std::array<std::uint8_t, 32>, Error> seed() const;
  // Writes this key to `path` as load() reads it (mode 0600), never over an existing file.
  // Errors: io_error (also when `path` exists).
  std::expected<void, Error> save(Env& env, const std::string& path) const;

  const PublicKey& public_key() const { return public_key_; }
  // The 64-byte Ed25519 signature of `message`. Thread-safe. Errors: io_error (OpenSSL failed).
  std::expected<std::string, Error> sign(std::string_view message) const;

 private:
  static std::expected<CheckpointKey, Error> of(std::shared_ptr<evp_pkey_st> key, const std::string& where);
  std::shared_ptr<evp_pkey_st> key_;
  PublicKey public_key_{};
};

// Where the key lives unless `--checkpoint-key` says otherwise: `<data>/checkpoint.key`.
std::string default_checkpoint_key_path(const std::string& data_directory);

}  // namespace orgledger::ledger
