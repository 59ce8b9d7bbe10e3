#include "key_cache.h"

namespace orgledger::vault {

std::optional<SecretKey> KeyCache::find(std::string_view key_id) const {
  std::lock_guard lock(mutex_);
  const auto found = keys_.find(std::string(key_id));
  if (found == keys_.end()) return std::nullopt;
  return found->second;
}

std::uint64_t KeyCache::generation() const {
  std::lock_guard lock(mutex_);
  return generation_;
}

void KeyCache::insert(std::string key_id, const SecretKey& key, std::uint64_t seen_generation) {
  std::lock_guard lock(mutex_);
  if (seen_generation != generation_ || capacity_ == 0) return;
  // Any victim will do: a miss costs one point read and one unwrap.
  if (keys_.size() >= capacity_ && !keys_.contains(key_id)) keys_.erase(keys_.begin());
  keys_.insert_or_assign(std::move(key_id), key);
}

void KeyCache::evict(std::span<const std::string> key_ids) {
  std::lock_guard lock(mutex_);
  ++generation_;
  for (const auto& id : key_ids) keys_.erase(id);
}

}  // namespace orgledger::vault
