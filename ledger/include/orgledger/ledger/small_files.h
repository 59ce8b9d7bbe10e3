// Small files beside the store, written durably through the Env's file system (env.h): the
// checkpoint key and the master key (created once, owner-only, never overwritten), the signer's
// record of its latest checkpoint (replaced atomically). Errors are io_error naming the path.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "orgledger/ledger/env.h"
#include "orgledger/ledger/types.h"

namespace orgledger::ledger {

// The file's bytes; nullopt when it does not exist. A file over 1 MiB (or a directory) is an error.
std::expected<std::optional<std::string>, Error> read_small_file(Env& env, const std::string& path);
// Creates `path` holding `bytes`, synced, with its directory synced; fails if it exists. It is
// written whole under a temporary name first, so a write cut short leaves nothing at `path`.
// `owner_only`: mode 0600, set before any byte is written.
std::expected<void, Error> create_small_file(Env& env, const std::string& path, std::string_view bytes,
                                             bool owner_only);
// Writes `bytes` to `path`.tmp, syncs, renames over `path` and syncs the directory: a reader
// sees the old bytes or the new, never a mix.
std::expected<void, Error> replace_small_file(Env& env, const std::string& path, std::string_view bytes);
// Whether something is at `path`.
std::expected<bool, Error> small_file_exists(Env& env, const std::string& path);
// Removes `path` if present, durably (its directory synced).
std::expected<void, Error> remove_small_file(Env& env, const std::string& path);
// mkdir -p `directory`.
std::expected<void, Error> create_directories(Env& env, const std::string& directory);
// Renames `from` over `to`, durably (the directory synced).
std::expected<void, Error> rename_small_file(Env& env, const std::string& from, const std::string& to);

}  // namespace orgledger::ledger
