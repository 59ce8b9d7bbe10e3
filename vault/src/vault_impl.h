// What a Vault holds (vault.h). Its members are spread over vault.cc (opening, reading),
// fresh_key.cc (the pool of keys made ahead) and forget.cc (crypto-shredding, G2).
#pragma once

#include <functional>
#include <memory>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "key_cache.h"
#include "key_store.h"
#include "master_key.h"
#include "orgledger/vault/vault.h"

namespace orgledger::vault {

// Keys made per refill: one synced write per this many fresh_key() calls.
inline constexpr std::size_t kKeysPerRefill = 4096;

struct Vault::Impl {
  static constexpr std::size_t kPoolSize = kKeysPerRefill;
  // Below this many pooled keys a background refill begins, so that fresh_key() (on the
  // submitters' path) almost never waits for the key store's fsync.
  static constexpr std::size_t kLowWater = 2048;
  static constexpr std::size_t kCacheCapacity = 4096;

  ledger::Env* os = nullptr;
  Random* random = nullptr;  // os->random()
  std::unique_ptr<KeyStore> store;
  // Absent only in an empty read-only vault (no store, so nothing to unwrap).
  std::optional<MasterKey> master;
  mutable KeyCache cache{kCacheCapacity};  // changes no answer, so const readers fill it

  mutable std::mutex forgotten_mutex;
  std::set<std::string, std::less<>> forgotten;

  std::mutex pool_mutex;
  std::vector<DataKey> pool;  // handed out from the back
  // The background refill (only with the system's random source, which any thread may use; an
  // injected source is used on the caller's thread alone, so a seeded one stays deterministic).
  bool background = false;
  std::thread refiller;  // started by the first fresh_key() that wants a refill
  std::condition_variable pool_changed;
  bool refill_wanted = false;
  bool refilling = false;
  bool stopping = false;
  std::optional<Error> refill_error;  // the last background refill's, for the next fresh_key()

  // Empty outside a cluster. A mutex of its own: make_keys() may run with pool_mutex held.
  std::mutex share_mutex;
  ShareKeys share_new_keys;

  std::mutex forget_mutex;  // one forget (and its rewrite of the files) at a time
  // Held by forget() while it writes its destroyed markers and by adopt() from its check to its
  // write, so that a key being destroyed is never stored again (G2).
  std::mutex destroy_mutex;

  std::mutex fetch_mutex;
  FetchKey fetch_absent;  // empty outside a cluster

  // fresh_key.cc. refill() and discard_pool() with pool_mutex held; make_keys() without it (one
  // refill at a time: `refilling`).
  std::expected<void, Error> refill();
  std::expected<std::vector<DataKey>, Error> make_keys();
  void refill_in_background(std::unique_lock<std::mutex>& lock);
  void run_refiller();
  void stop_refiller();
  // A key id neither stored nor among `drawn`.
  std::expected<std::string, Error> unused_key_id(const std::set<std::string, std::less<>>& drawn) const;
  void discard_pool();
  // shared_keys.cc: hands a batch just made durable to share_new_keys (when set).
  std::expected<void, Error> share_made(std::span<const WrappedKey> keys);
  // shared_keys.cc: Vault::adopt's work; the key `key_id` fetched from the cluster (nullopt: none).
  std::expected<std::size_t, Error> adopt(std::span<const WrappedKey> keys);
  std::expected<std::optional<SecretKey>, Error> fetched_key(std::string_view key_id);
  // forget.cc: `batch` (what forget adds) with `key_ids` destroyed, written synced, then the
  // rewrite of the files (finish_shredding: the rewrite, and clearing the m/shred marker).
  std::expected<void, Error> destroy(rocksdb::WriteBatch& batch, std::span<const std::string> key_ids);
  std::expected<void, Error> finish_shredding();
  // vault.cc: the unwrapped key `key_id`, from the cache or the store; nullopt when absent.
  std::expected<std::optional<SecretKey>, Error> data_key(std::string_view key_id) const;
};

void wipe(DataKey& key);

}  // namespace orgledger::vault
