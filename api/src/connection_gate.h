// Who may hold a connection (issue 11, "connection exhaustion without a token"): a cap on the
// connections from one address, the server's cap, and a reserve kept for clients that have
// authenticated (and for newcomers such as /healthz probes): connections that have not yet
// authenticated may hold at most max_connections − reserved; past that one of them is evicted to
// let the newcomer in — the oldest of the address that holds the most of them, so a slow-header
// flood evicts itself rather than a client that just connected.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace orgledger::api {

// What the gate can close: a connection, from any thread.
class Evictable {
 public:
  virtual ~Evictable() = default;
  virtual void evict() = 0;  // closes it if it has still not authenticated
};

class ConnectionGate {
 public:
  struct Limits {
    std::size_t max_connections = 1024;
    std::size_t per_address = 64;
    std::size_t reserved = 128;  // kept for authenticated connections
  };
  explicit ConnectionGate(Limits limits) : limits_(limits) {}

  enum class Refusal { per_address, full };
  struct Admitted {
    std::uint64_t id;                  // the connection's ticket: attach(), authenticated(), closed()
    std::shared_ptr<Evictable> evict;  // evict this one (outside any lock), or null
  };
  // A new connection from `address`. Thread-safe, like all below.
  std::expected<Admitted, Refusal> admit(const std::string& address);
  // The admitted connection, now that it exists (it can be evicted from now on).
  void attach(std::uint64_t id, std::weak_ptr<Evictable> connection);
  // A request on it carried a valid token: it is never evicted.
  void authenticated(std::uint64_t id);
  void closed(std::uint64_t id);

 private:
  struct Entry {
    std::string address;
    bool counted_unauthenticated = true;  // false once authenticated or chosen for eviction
    bool evicted = false;                 // chosen for eviction, closing
    std::weak_ptr<Evictable> connection;
  };
  const Limits limits_;
  std::mutex mutex_;
  std::uint64_t next_id_ = 1;
  std::map<std::uint64_t, Entry> entries_;  // by id: oldest first
  struct Held {
    std::size_t connections = 0;
    std::size_t unauthenticated = 0;
  };
  std::unordered_map<std::string, Held> per_address_;
  std::size_t unauthenticated_ = 0;
  std::size_t evicted_ = 0;  // entries closing: their places are already given to newcomers
};

}  // namespace orgledger::api
