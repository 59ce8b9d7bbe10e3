// A replica's catch-up and tail: an ordered JetStream consumer from the sequence after the one the
// store last holds (Ledger::replication_sequence), each message appended with
// Ledger::append_replicated, which checks the chain before it writes. On any gap or broken chain
// it starts again from the store's sequence. A store that lacks groups the stream no longer keeps
// (its retention) cannot follow: the follower says so (`behind`) instead of subscribing.
#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include "log_stream.h"
#include "orgledger/ledger/ledger.h"

namespace orgledger::cluster {

class ReplicaFollower {
 public:
  // Starts following at once, on a thread of its own.
  // `applied` after each group appended (may be empty). `behind(first kept sequence, stopping)`
  // when the store's next group is older than the stream's first, on the follower's thread, which
  // it may hold (checking `stopping`); then the follower tries again (may be empty).
  using Behind = std::function<void(std::uint64_t first_kept, const std::atomic<bool>& stopping)>;
  ReplicaFollower(NatsLink& link, LogStream& stream, ledger::Ledger& ledger, std::function<void(const std::string&)> note,
                  std::function<void()> applied, Behind behind);
  // Stops (within ~0.2 s) and joins.
  ~ReplicaFollower();

 private:
  void run();
  // One subscription from the store's next sequence; returns when it must be made again.
  void follow_once();
  NatsLink& link_;
  LogStream& stream_;
  ledger::Ledger& ledger_;
  std::function<void(const std::string&)> note_;
  std::function<void()> applied_;
  Behind behind_;
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace orgledger::cluster
