// Unwrapped data keys kept in memory, so that reading personal data costs one AES-GCM open and not
// a store read and an unwrap each time. Bounded; forget() evicts (G2).
#pragma once

#include <cstdint>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>

#include "secret.h"

namespace orgledger::vault {

class KeyCache {
 public:
  explicit KeyCache(std::size_t capacity) : capacity_(capacity) {}

  // Thread-safe, all of them.
  std::optional<SecretKey> find(std::string_view key_id) const;
  // Bumped by every eviction. A reader takes it before reading a key from the store and passes it
  // to insert(), which then drops the key if an eviction came in between: a key read just before
  // forget() deleted it is never cached after forget() evicted it.
  std::uint64_t generation() const;
  void insert(std::string key_id, const SecretKey& key, std::uint64_t seen_generation);
  void evict(std::span<const std::string> key_ids);

 private:
  const std::size_t capacity_;
  mutable std::mutex mutex_;
  std::unordered_map<std::string, SecretKey> keys_;
  std::uint64_t generation_ = 0;
};

}  // namespace orgledger::vault
