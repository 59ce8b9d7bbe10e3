// Issue 18: orgledger on several machines, over NATS JetStream. One node at a time is the writer:
// it holds a lease in a JetStream key-value bucket and publishes every group to a replicated
// stream (R3, file storage) before its own fsync, each message fenced by the stream's expected last
// sequence, so a stale writer's publish fails and it steps down. Every other node is a replica: it
// appends the stream's groups to its own store, byte for byte (Ledger::append_replicated), and
// answers reads. libnats stays inside cluster/src; this header is all a caller sees.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orgledger/ledger/ledger.h"

namespace orgledger::cluster {

struct Error {
  std::string message;
};

struct Options {
  std::vector<std::string> servers;  // nats://host:port, any number; one is enough to reach the cluster
  std::string node;                  // this node's name, unique in the cluster
  std::string advertise;             // this node's HTTP API as clients reach it (http://host:port)
  std::string stream = "ORGLEDGER";  // the log's stream; its subject is "<stream>.log"
  int replicas = 3;                  // of the stream and the buckets (R3)
  // The writer renews its lease every lease_ttl / 4; a writer silent for lease_ttl loses it.
  std::chrono::milliseconds lease_ttl{4000};
  std::chrono::milliseconds publish_timeout{5000};
  // The groups the stream keeps when it is made (0: all). A node that needs an older one copies
  // a peer's whole store, then follows the stream (--cluster-retention).
  std::uint64_t retention = 0;
};

// One node: its NATS connection, its replica follower and its lease. Threads of its own.
class Node {
 public:
  // What the node tells the server around it (each from the node's threads):
  struct Hooks {
    // This node won the lease and holds every group of the stream: it takes commands from now
    // on (its ledger already has the replicator installed).
    std::function<void()> became_writer;
    // This node must restart in place, as a replica: it lost its lease or a publish was refused
    // (it must stop taking commands), its store stopped (fail-stop), or a copy of a peer's store
    // awaits installing (the store's next open installs it).
    std::function<void(const std::string& why)> step_down;
    std::function<void(const std::string& line)> note;
    // A token's record as the cluster shares it (key: its hash in hex; value: the record; empty:
    // removed), first every current one, then each change. From the node's watcher thread.
    std::function<void(const std::string& key, const std::string& value)> token_record;
    // Every token record this node holds (same keys and values): a new writer shares those the
    // cluster lacks (those seeded into its store), never replacing one the cluster has.
    std::function<std::vector<std::pair<std::string, std::string>>()> token_records;
    // A data key as the cluster shares it (key: its id; value: its record, wrapped by the master
    // key the nodes share; empty: purged because the log forgot it, G2), first every current one,
    // then each change. From the node's watcher thread.
    std::function<void(const std::string& key, const std::string& value)> key_record;
    // A group of the log is durable in this replica's store (the follower's thread), and once per
    // lease tick (the control thread): what the log says is destroyed must be destroyed here too
    // (G2). Returns the position through which that is done, which the node tells the cluster
    // (forget_keys waits for it); nullopt when not known, or a destruction failed.
    std::function<std::optional<std::uint64_t>()> group_applied;
  };
  // Starts connecting (in the background: a node that cannot reach NATS yet serves its own store
  // and keeps trying); once NATS answers, makes the stream and buckets when missing and follows as
  // a replica. `ledger` must outlive the node and be opened with LedgerOptions::replicated.
  // Errors: no name, or malformed server addresses.
  static std::expected<std::unique_ptr<Node>, Error> start(const Options& options, ledger::Ledger& ledger, Hooks hooks);
  // Gives the lease up (when writer), stops following, closes the connection.
  ~Node();

  bool is_writer() const;
  // The writer's advertised URL, "" when none is known. Thread-safe.
  std::string writer_url() const;
  // Positions this node is behind the stream's last group (0 when in step). Thread-safe.
  std::uint64_t lag() const;
  // Shares a token's record with every node (Hooks::token_record there). Thread-safe. Errors: the
  // node has not joined the cluster yet, or NATS refused.
  std::expected<void, Error> share_token(const std::string& key, std::string_view record);
  // Shares data keys (id, wrapped record) with every node (Hooks::key_record there), all
  // acknowledged by the bucket's quorum when it returns. Same threads and errors as share_token.
  std::expected<void, Error> share_keys(std::span<const std::pair<std::string, std::string>> keys);
  // The record of data key `key_id` as the bucket holds it now, for a key the watcher has not
  // delivered yet (the bucket and the log are two streams). nullopt: the bucket has none (purged,
  // G2), or this node cannot ask now (not joined, cut off from NATS). Thread-safe.
  std::optional<std::string> fetch_key(const std::string& key_id);
  // G2: purges destroyed keys from the bucket, so that no node is given them again, then waits
  // until every live node (one that spoke in the last two lease times) says it has destroyed
  // what the log forgot through position `through` (a node holding a key destroys it when it
  // applies the group that forgot it). A node that is down does so when it catches up, before it
  // joins. Errors: as share_token, or a live node did not confirm within twice the publish timeout
  // (named; calling again waits again).
  std::expected<void, Error> forget_keys(std::span<const std::string> key_ids, std::uint64_t through);

  class Impl;

 private:
  explicit Node(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

// What every node signs checkpoints as (issue 18): the log's origin and its checkpoint key, the
// key wrapped by the master key the nodes share (never in clear).
struct SigningIdentity {
  std::string origin;
  std::string wrapped_key;
};
// The cluster's signing identity, kept in the bucket "<stream>_signer": the one there, else
// `proposed`, put there by the first node to ask (one that loses that race is given the winner's).
// Tries again while NATS does not answer, for up to `patience`. Errors: no answer within
// `patience`, or a record in the bucket that this build did not write.
std::expected<SigningIdentity, Error> settle_signing_identity(const Options& options, const SigningIdentity& proposed,
                                                              std::chrono::milliseconds patience);

// `orgledger cluster status`: what every node last said of itself, and the log's last group.
struct NodeStatus {
  std::string node;
  std::string url;
  std::string role;  // "writer" or "replica"
  std::uint64_t position = 0;
  std::uint64_t lag = 0;
  std::int64_t seen_ms_ago = 0;
};
struct Status {
  std::string writer;  // the lease holder's name, "" when none
  std::uint64_t stream_sequence = 0;
  std::uint64_t last_position = 0;  // of the stream's last group
  std::vector<NodeStatus> nodes;
};
std::expected<Status, Error> read_status(const Options& options);

}  // namespace orgledger::cluster
