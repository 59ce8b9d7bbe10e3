// A replica's catch-up and tail: an ordered JetStream consumer from the sequence after the one the
// store last holds (Ledger::replication_sequence), each message appended with
// Ledger::append_replicated, which checks the chain before it writes. On any gap or broken chain
// it starts again from the store's sequence.
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
  // `applied` after each group appended (may be empty).
  ReplicaFollower(NatsLink& link, LogStream& stream, ledger::Ledger& ledger, std::function<void(const std::string&)> note,
                  std::function<void()> applied);
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
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

}  // namespace orgledger::cluster
