#include "connection_gate.h"

#include <algorithm>

namespace orgledger::api {

std::expected<ConnectionGate::Admitted, ConnectionGate::Refusal> ConnectionGate::admit(const std::string& address) {
  std::lock_guard lock(mutex_);
  if (auto held = per_address_.find(address);
      held != per_address_.end() && held->second.connections >= std::max<std::size_t>(1, limits_.per_address)) {
    return std::unexpected(Refusal::per_address);
  }
  if (entries_.size() - evicted_ >= limits_.max_connections) return std::unexpected(Refusal::full);
  Admitted admitted{next_id_++, nullptr};
  const std::size_t unauthenticated_cap =
      limits_.max_connections > limits_.reserved ? limits_.max_connections - limits_.reserved : 1;
  if (unauthenticated_ >= unauthenticated_cap) {
    // Room is made by the address holding the most unauthenticated connections (the newcomer's
    // included), from its oldest: it has had the longest to send a request.
    std::string heaviest = address;
    std::size_t most = per_address_[address].unauthenticated + 1;
    for (const auto& [from, held] : per_address_) {
      if (held.unauthenticated > most) {
        heaviest = from;
        most = held.unauthenticated;
      }
    }
    auto evict_oldest = [&](const std::string* of_address) {
      for (auto& [id, entry] : entries_) {
        if (!entry.counted_unauthenticated || (of_address && entry.address != *of_address)) continue;
        auto connection = entry.connection.lock();
        if (!connection) continue;  // not attached yet, or going away
        entry.counted_unauthenticated = false;
        entry.evicted = true;
        --unauthenticated_;
        ++evicted_;
        --per_address_[entry.address].unauthenticated;
        admitted.evict = std::move(connection);
        return true;
      }
      return false;
    };
    if (!evict_oldest(&heaviest)) evict_oldest(nullptr);
  }
  auto& held = per_address_[address];
  ++held.connections;
  ++held.unauthenticated;
  ++unauthenticated_;
  entries_.emplace(admitted.id, Entry{address, true, {}});
  return admitted;
}

void ConnectionGate::attach(std::uint64_t id, std::weak_ptr<Evictable> connection) {
  std::lock_guard lock(mutex_);
  if (auto it = entries_.find(id); it != entries_.end()) it->second.connection = std::move(connection);
}

void ConnectionGate::authenticated(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end() || !it->second.counted_unauthenticated) return;
  it->second.counted_unauthenticated = false;
  --unauthenticated_;
  --per_address_[it->second.address].unauthenticated;
}

void ConnectionGate::closed(std::uint64_t id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return;
  auto held = per_address_.find(it->second.address);
  if (it->second.counted_unauthenticated) {
    --unauthenticated_;
    --held->second.unauthenticated;
  }
  if (it->second.evicted) --evicted_;
  if (--held->second.connections == 0) per_address_.erase(held);
  entries_.erase(it);
}

}  // namespace orgledger::api
