// The vault: per-subject data keys for personal data (DOMAIN.md G1–G2), kept in a key store of its
// own beside the event log (never in the log's column families or WAL), wrapped by a master key.
// Personal data is sealed with AES-256-GCM under its subject's data key; destroying the key
// (crypto-shredding, G2) makes every copy of the ciphertext unreadable while the log stays intact.
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "orgledger/ledger/env.h"

namespace orgledger::vault {

enum class ErrorCode {
  invalid_argument,  // a malformed master key file, key id or sealed value
  bad_master_key,    // the master key does not unwrap this store's keys
  corrupt,           // a stored record or a ciphertext fails authentication
  io_error,          // the key store or a key file failed
  read_only,         // a write on a vault opened read-only
};

struct Error {
  ErrorCode code;
  std::string message;
};

const char* to_string(ErrorCode code);

// A sealed personal value as events hold it: AES-256-GCM with AAD = the subject's id.
struct Sealed {
  std::string key_id;      // the data key's id (32 lowercase hex digits)
  std::string nonce;       // 12 bytes
  std::string ciphertext;  // the encrypted bytes followed by the 16-byte GCM tag
  bool operator==(const Sealed&) const = default;
};

// A data key handed out for sealing. Holds key material: keep it only as long as needed.
struct DataKey {
  std::string id;
  std::array<std::uint8_t, 32> bytes{};
};

// A data key as the key store holds it: wrapped by the master key, bound to its id (never in clear).
// What the nodes of a cluster share (issue 18), so that each can open what the writer sealed.
struct WrappedKey {
  std::string id;
  std::string record;
};
// Hands new keys to the other nodes; an error (its message) fails the refill that made them.
using ShareKeys = std::function<std::expected<void, std::string>(std::span<const WrappedKey>)>;

// Fetches the record of a key another node made that this node was not given yet; nullopt when
// the cluster has none (or cannot be asked now).
using FetchKey = std::function<std::optional<std::string>(std::string_view key_id)>;

// Randomness reaches the vault (keys, nonces) through the Env (ledger/env.h), so tests can fail it.
using Random = ledger::Random;

enum class Mode { read_write, read_only };

struct Options {
  // The key store's own directory, by convention <data>/vault (created when missing, read_write).
  std::string directory;
  // The master key: 32 raw bytes or 64 hex digits (surrounding whitespace ignored). Absent: the
  // file `<directory>/../master.key` (default_master_key_path), created with mode 0600 holding
  // 64 hex digits on first use in read_write mode.
  std::optional<std::string> master_key_file;
  Mode mode = Mode::read_write;
  // The operating system (files, randomness): ledger/env.h. Null: Env::system(). Must outlive it.
  ledger::Env* env = nullptr;
};

// <data directory>/master.key: where the master key is created when no file is named.
std::string default_master_key_path(const std::string& vault_directory);

class Vault {
 public:
  // Opens (read_write: creates) the key store. A store holding keys wrapped by another master key
  // → bad_master_key, naming the master key id it expected. read_only over a directory without a
  // key store opens an empty vault (a store written before G1). Never throws.
  // Also: a store with keys needs its master key file in read_only mode too (io_error, naming the
  // expected id, when it cannot be read); an unfinished rotate_master → bad_master_key (run it
  // again); a forget() whose deletion was durable but whose file rewrite was not is finished here.
  static std::expected<std::unique_ptr<Vault>, Error> open(const Options& options);
  ~Vault();  // unused pooled keys are deleted (not needed for safety: they never sealed anything)
  Vault(const Vault&) = delete;
  Vault& operator=(const Vault&) = delete;

  // A data key never handed out before, already durable in the key store, so an event that names
  // it can be made durable without waiting for the vault (keys are made ahead in batches; only
  // a refill syncs). Thread-safe. Errors: read_only, io_error (refill failed).
  [[nodiscard]] std::expected<DataKey, Error> fresh_key();
  // AES-256-GCM under `key` with a fresh random nonce and AAD = `subject`. Thread-safe.
  [[nodiscard]] std::expected<Sealed, Error> seal(const DataKey& key, std::string_view subject,
                                                  std::string_view plaintext);
  // The plaintext of `sealed` for `subject`; nullopt when it can no longer be read: the subject
  // was forgotten, or its key destroyed or absent (shown as "forgotten"). A tag that does not
  // verify (altered ciphertext, wrong subject) → corrupt. Thread-safe; unwrapped keys are cached.
  [[nodiscard]] std::expected<std::optional<std::string>, Error> open(std::string_view subject,
                                                                     const Sealed& sealed) const;
  // Deletes keys handed out by fresh_key() whose sealed values were not kept: the command that
  // carried them was refused, or was a repeat of one already on record. Not synced (a key left by
  // a crash is an orphan, like a pooled one). Never for a key an event names. Errors: read_only,
  // io_error.
  [[nodiscard]] std::expected<void, Error> discard_unused(std::span<const std::string> key_ids);

  // Whether `subject` was forgotten (G2): its marker is in the store, or forget() has begun.
  bool forgotten(std::string_view subject) const;
  // Whether key `key_id` is present (neither destroyed nor unknown).
  bool has_key(std::string_view key_id) const;

  // G2: marks `subject` forgotten and destroys `key_ids` (unknown ids are ignored). The subject
  // reads as forgotten from the moment this is called. When it returns, no file of the key store
  // holds the keys' material any more: the deletion is synced, the memtable flushed, the tables
  // holding the keys compacted away and the obsolete WAL and table files deleted. Idempotent:
  // forgetting again finishes an interrupted forget. Errors: read_only, io_error (the subject
  // still reads as forgotten in this process). Costs a rewrite of the whole key store.
  [[nodiscard]] std::expected<void, Error> forget(std::string_view subject, std::span<const std::string> key_ids);
  // Cluster (issue 18), G2 on the cluster's word: destroys those of `key_ids` held here, as
  // forget() does, without marking a subject (the log's ForgetSubject does that when this node
  // applies it). The cluster purges a key from its bucket only once the log has forgotten it, so a
  // node that was away destroys the key as soon as it hears of the purge, before it catches up.
  // Keys not held here are skipped; none held: nothing written. Errors: read_only, io_error.
  [[nodiscard]] std::expected<void, Error> destroy_keys(std::span<const std::string> key_ids);

  // Cluster (issue 18). From now on every batch of keys made ahead is handed to `share` after it
  // is durable here and before any of its keys is handed out, so no event can name a key the
  // other nodes were not given. Set it before the first fresh_key(). Thread-safe.
  void share_new_keys_with(ShareKeys share);
  // Stores the keys another node made (as its ShareKeys gave them), buffered: a node that lost
  // them in a crash is given them again. Skips a key held already or destroyed here (G2: a key
  // this store forgot never comes back). Returns how many were stored. Errors: bad_master_key (a
  // record wrapped under another master key: the nodes must share one), corrupt (a record that
  // does not unwrap for its id), read_only, io_error; the keys before the bad one are stored.
  [[nodiscard]] std::expected<std::size_t, Error> adopt(std::span<const WrappedKey> keys);

  // Cluster (issue 18): a 32-byte secret that is not a data key (the checkpoint key's seed)
  // wrapped by the master key and bound to `label`, so the nodes can share it without showing it.
  // Errors: read_only (no master key), io_error (no randomness).
  [[nodiscard]] std::expected<std::string, Error> wrap_secret(std::string_view label,
                                                              std::span<const std::uint8_t, 32> secret) const;
  // The secret wrap_secret(label, …) wrapped in `record`. Errors: bad_master_key (another master
  // key wrapped it), corrupt (altered, or wrapped under another label), read_only.
  [[nodiscard]] std::expected<std::array<std::uint8_t, 32>, Error> unwrap_secret(std::string_view label,
                                                                                 std::string_view record) const;

  // Cluster (issue 18): open() asks `fetch` for a key absent here (neither held nor destroyed),
  // adopts what it returns and opens with it. The key bucket and the log are two streams, not
  // ordered: a replica may apply a group before the key that sealed it reaches its watcher.
  // Empty: no fetching (single node). Thread-safe.
  void fetch_absent_keys_with(FetchKey fetch);

  // The number of data keys stored (pooled ones included): for tests and `keys` output.
  std::size_t key_count() const;

 private:
  Vault();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// What a master-key rotation did.
struct Rotation {
  std::size_t rewrapped = 0;     // data keys re-wrapped under the new master key
  std::string new_master_file;   // where the new master key is
  std::string new_master_id;     // 16 hex digits: the first 8 bytes of SHA-256(new master key)
};

// `keys rotate-master` (G1): re-wraps every data key of the (closed) key store under a new master
// key, read from `new_master_file` when given, else drawn at random and written (mode 0600) to
// the default master key path, replacing the old one there only once every key is re-wrapped.
// Crash-safe: an interrupted rotation is finished by running it again with the same files.
// Afterwards no file of the key store holds a key wrapped by the old master (compacted away).
// `options` names the old master key as Vault::open does. Errors: as open, plus io_error.
[[nodiscard]] std::expected<Rotation, Error> rotate_master(const Options& options,
                                                           const std::optional<std::string>& new_master_file);

}  // namespace orgledger::vault
