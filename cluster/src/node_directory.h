// What every node says of itself, for `orgledger cluster status` and the lag metric: one key per node
// in the bucket "<stream>_nodes" (values age out after a minute of silence), and the log's last
// group, read off the stream.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <string>
#include <utility>
#include <vector>

#include "log_stream.h"
#include "nats_link.h"

namespace orgledger::cluster {

struct NodeRecord {
  std::string role;
  std::string url;
  std::uint64_t position = 0;
  std::int64_t at_ms = 0;  // the node's wall clock when it wrote this
  // G2 is done on the node through this position (Node::forget_keys waits for it). 0 in a record
  // an earlier build wrote: such a node never confirms.
  std::uint64_t shredded = 0;
};

// The wall clock in milliseconds since the epoch, as NodeRecord::at_ms counts it.
inline std::int64_t wall_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

std::string encode_record(const NodeRecord& record);
std::optional<NodeRecord> decode_record(std::string_view value);
// Every node's record in the directory (`directory`: the bucket open_node_directory opened), by
// name; a record that does not decode is left out.
std::vector<std::pair<std::string, NodeRecord>> read_node_records(kvStore* directory);

// The stream's last sequence and the last position its last group ends at (0, 0 when empty).
struct LogEnd {
  std::uint64_t sequence = 0;
  std::uint64_t position = 0;
  ledger::Hash hash{};  // the chain hash of that position, as the group says
};
std::expected<LogEnd, Error> log_end(LogStream& stream);

std::expected<Owned<kvStore>, Error> open_node_directory(NatsLink& link, const Options& options);

}  // namespace orgledger::cluster
