// The writer's GroupReplicator (replication.h): each group to the stream, fenced by the sequence of
// the group before it. A refusal fences this writer for good: every later group is refused too,
// and the node is told to step down.
#pragma once

#include <atomic>
#include <functional>
#include <mutex>

#include "log_stream.h"
#include "orgledger/ledger/replication.h"

namespace orgledger::cluster {

class GroupPublisher final : public ledger::GroupReplicator {
 public:
  // `last_sequence`: the stream's last sequence, which the store holds (the first group expects it).
  // `lease_fresh`: whether the writer's lease is surely still its own (a publish is refused when not).
  GroupPublisher(LogStream& stream, std::uint64_t last_sequence, std::function<void(const std::string&)> fenced,
                 std::function<bool()> lease_fresh);
  std::expected<std::uint64_t, ledger::Error> replicate(std::string_view message, ledger::Position first_position) override;
  // Refuses every group from now on (the lease was lost).
  void fence(const std::string& why);

 private:
  LogStream& stream_;
  std::uint64_t last_sequence_;  // the writer's syncing thread only
  std::function<void(const std::string&)> fenced_;
  std::function<bool()> lease_fresh_;
  std::mutex mutex_;
  std::string fenced_because_;   // under mutex_; non-empty once fenced
};

}  // namespace orgledger::cluster
