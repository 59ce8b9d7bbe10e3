// The master key (G1): the key that wraps every data key, kept in a file outside the key store.
//
//   master key file := 32 raw bytes
//                    | ws* 64-hex-digits ws*      (either case; the vault writes lowercase + "\n")
//   master key id   := the first 8 bytes of SHA-256(master key)
//
// File I/O here is plain POSIX, not rocksdb::Env: the Env's FileSystem can neither create a file
// exclusively (O_EXCL) nor with mode 0600, and a key file readable by others defeats G1.
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
std::expected<MasterKey, Error> read_master_key_file(const std::string& path);
// Whether something is at `path` (io_error when that cannot be known).
std::expected<bool, Error> file_exists(const std::string& path);

// A new master key drawn from `random`.
std::expected<MasterKey, Error> generate_master_key(Random& random);
// Writes `key` as 64 hex digits and a newline to a new file at `path`, created exclusively with
// mode 0600, then fsyncs the file and its directory. io_error when `path` exists.
std::expected<void, Error> write_master_key_file(const std::string& path, const MasterKey& key);
// Removes `path` if present (an abandoned `.next` of a rotation), durably.
std::expected<void, Error> remove_file(const std::string& path);
// rename(2) `from` over `to`, then fsyncs the directory so the rename survives a crash.
std::expected<void, Error> rename_durably(const std::string& from, const std::string& to);

}  // namespace orgledger::vault
