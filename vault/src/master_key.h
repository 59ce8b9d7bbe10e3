// The master key (G1): the key that wraps every data key, kept in a file outside the key store.
//
//   master key file := 32 raw bytes
//                    | ws* 64-hex-digits ws*      (either case; the vault writes lowercase + "\n")
//   master key id   := the first 8 bytes of SHA-256(master key)
//
// Its file goes through the Env (ledger/env.h, small_files.h): created whole under a temporary name
// and linked (never over an existing key), owner-only before a byte is written (G1).
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include "orgledger/vault/vault.h"
#include "secret.h"

namespace orgledger::vault {

inline constexpr std::size_t kMasterIdBytes = 8;

struct MasterKey {
  SecretKey key;
  std::string id;  // kMasterIdBytes
};

// The id of `key`: names a master key in the store and in messages without revealing it.
std::string master_key_id(std::span<const std::uint8_t, kKeyBytes> key);

// The key a master key file holds. invalid_argument (naming `path`) unless the grammar above.
std::expected<MasterKey, Error> parse_master_key(std::string_view contents, const std::string& path);
// Reads and parses `path`. io_error when it cannot be read (a missing file included).
std::expected<MasterKey, Error> read_master_key_file(ledger::Env& os, const std::string& path);
// Whether something is at `path` (io_error when that cannot be known).
std::expected<bool, Error> file_exists(ledger::Env& os, const std::string& path);

// A new master key drawn from `random`.
std::expected<MasterKey, Error> generate_master_key(Random& random);
// Writes `key` as 64 hex digits and a newline to a new file at `path` (ledger::create_small_file:
// mode 0600, synced with its directory, never over an existing file). io_error when `path` exists.
std::expected<void, Error> write_master_key_file(ledger::Env& os, const std::string& path, const MasterKey& key);
// Removes `path` if present (an abandoned `.next` of a rotation), durably.
std::expected<void, Error> remove_file(ledger::Env& os, const std::string& path);
// Renames `from` over `to`, then syncs the directory so the rename survives a crash.
std::expected<void, Error> rename_durably(ledger::Env& os, const std::string& from, const std::string& to);

}  // namespace orgledger::vault
