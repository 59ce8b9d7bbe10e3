// read_status (cluster.h) and the node directory's records (node_directory.h).
#include <chrono>
#include <sstream>

#include "node_directory.h"
#include "orgledger/ledger/replication.h"
#include "writer_lease.h"

namespace orgledger::cluster {

std::string encode_record(const NodeRecord& record) {
  return record.role + "\n" + record.url + "\n" + std::to_string(record.position) + "\n" + std::to_string(record.at_ms) +
         "\n" + std::to_string(record.shredded);
}

std::optional<NodeRecord> decode_record(std::string_view value) {
  std::istringstream in{std::string(value)};
  NodeRecord record;
  std::string position, at, shredded;
  if (!std::getline(in, record.role) || !std::getline(in, record.url) || !std::getline(in, position) || !std::getline(in, at)) {
    return std::nullopt;
  }
  try {
    record.position = std::stoull(position);
    record.at_ms = std::stoll(at);
    if (std::getline(in, shredded)) record.shredded = std::stoull(shredded);  // absent in an earlier build's
  } catch (...) {
    return std::nullopt;
  }
  return record;
}

std::vector<std::pair<std::string, NodeRecord>> read_node_records(kvStore* directory) {
  std::vector<std::pair<std::string, NodeRecord>> records;
  kvKeysList keys{};
  if (kvStore_Keys(&keys, directory, nullptr) != NATS_OK) return records;
  for (int i = 0; i < keys.Count; ++i) {
    kvEntry* raw = nullptr;
    if (kvStore_Get(&raw, directory, keys.Keys[i]) != NATS_OK) continue;
    Owned<kvEntry> entry(raw);
    auto record = decode_record(entry_value(raw));
    if (record) records.emplace_back(keys.Keys[i], std::move(*record));
  }
  kvKeysList_Destroy(&keys);
  return records;
}

std::expected<LogEnd, Error> log_end(LogStream& stream) {
  auto sequence = stream.last_sequence();
  if (!sequence) return std::unexpected(sequence.error());
  if (*sequence == 0) return LogEnd{};
  auto message = stream.message_at(*sequence);
  if (!message) return std::unexpected(message.error());
  auto header = ledger::replicated_group_header(*message);
  if (!header) return std::unexpected(Error{"the log's last message: " + header.error().message});
  return LogEnd{*sequence, header->last, header->last_hash};
}

std::expected<Owned<kvStore>, Error> open_node_directory(NatsLink& link, const Options& options) {
  return open_bucket(link, options.stream + "_nodes", options.replicas, std::chrono::minutes(1));
}

std::expected<Status, Error> read_status(const Options& options) {
  auto link = NatsLink::connect(options.servers, "orgledger cluster status");
  if (!link) return std::unexpected(link.error());
  LogStream stream(**link, options);
  auto end = log_end(stream);
  if (!end) return std::unexpected(end.error());
  Status status{.stream_sequence = end->sequence, .last_position = end->position};
  auto lease = WriterLease::open(**link, options);
  if (!lease) return std::unexpected(lease.error());
  if (auto holder = (*lease)->holder(); holder && *holder) status.writer = (*holder)->node;
  auto directory = open_node_directory(**link, options);
  if (!directory) return std::unexpected(directory.error());
  for (const auto& [name, record] : read_node_records(directory->get())) {
    status.nodes.push_back(NodeStatus{.node = name, .url = record.url, .role = record.role, .position = record.position,
                                      .lag = end->position > record.position ? end->position - record.position : 0,
                                      .seen_ms_ago = wall_ms() - record.at_ms});
  }
  return status;
}

}  // namespace orgledger::cluster
