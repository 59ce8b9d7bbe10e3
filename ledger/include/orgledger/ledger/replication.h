// The ledger's side of a replicated log (issue 18; the transport is cluster/'s). A writer hands
// every sealed group to a GroupReplicator before its own fsync; a replica appends the groups it
// receives with Ledger::append_replicated, byte for byte, after checking their chain. Each store
// remembers the replicated log's sequence of the last group it holds (meta "replication_sequence",
// in the group's own WriteBatch), so a node that restarts knows where to resume.
#pragma once

#include <cstdint>
#include <expected>
#include <string_view>

#include "orgledger/ledger/types.h"

namespace orgledger::ledger {

// Publishes one sealed group to the replicated log and returns the sequence the log gave it.
// Called on the writer's syncing thread, once per group and in order, before the group is written
// locally; the group is acknowledged only if it returns a sequence. `message` is the group as
// append_replicated takes it; `first_position` is its first event's (the message's id there).
// An error fail-stops the ledger: `version_conflict` when the log refused the group (another
// writer holds it: the commands were not taken), anything else when its fate is unknown.
class GroupReplicator {
 public:
  virtual ~GroupReplicator() = default;
  virtual std::expected<std::uint64_t, Error> replicate(std::string_view message, Position first_position) = 0;
};

// The replicated log's message of one group, decoded only far enough for a transport to route it.
struct ReplicatedGroupHeader {
  Position follows = 0;  // the position the group's first event follows
  Position last = 0;     // its last event's position
  Hash last_hash{};      // the chain hash its last event says it has (checked only on append)
};
// Errors: invalid_argument when `message` is not a group message.
std::expected<ReplicatedGroupHeader, Error> replicated_group_header(std::string_view message);

}  // namespace orgledger::ledger
