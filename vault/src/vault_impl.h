// What a Vault holds (vault.h). Its members are spread over vault.cc (opening, reading),
// fresh_key.cc (the pool of keys made ahead) and forget.cc (crypto-shredding, G2).
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "key_cache.h"
#include "key_store.h"
#include "master_key.h"
#include "orgledger/vault/vault.h"

namespace orgledger::vault {

struct Vault::Impl {
  // Keys made per refill: one synced write per this many fresh_key() calls.
  static constexpr std::size_t kPoolSize = 256;
  static constexpr std::size_t kCacheCapacity = 4096;

  Random* random = nullptr;
  std::unique_ptr<KeyStore> store;
  // Absent only in an empty read-only vault (no store, so nothing to unwrap).
  std::optional<MasterKey> master;
  mutable KeyCache cache{kCacheCapacity};  // changes no answer, so const readers fill it

  mutable std::mutex forgotten_mutex;
  std::set<std::string, std::less<>> forgotten;

  std::mutex pool_mutex;
  std::vector<DataKey> pool;  // handed out from the back

  std::mutex forget_mutex;  // one forget (and its rewrite of the files) at a time

  // fresh_key.cc. Both with pool_mutex held.
  std::expected<void, Error> refill();
  // A key id neither stored nor among `drawn`.
  std::expected<std::string, Error> unused_key_id(const std::set<std::string, std::less<>>& drawn) const;
  void discard_pool();
  // forget.cc: the rewrite of a forget's files, and clearing its m/shred marker.
  std::expected<void, Error> finish_shredding();
  // vault.cc: the unwrapped key `key_id`, from the cache or the store; nullopt when absent.
  std::expected<std::optional<SecretKey>, Error> data_key(std::string_view key_id) const;
};

void wipe(DataKey& key);

}  // namespace orgledger::vault
