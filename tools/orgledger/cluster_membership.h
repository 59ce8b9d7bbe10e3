// `serve --cluster URLS --node NAME [--advertise URL]` (issue 18): the node of cluster/ as the
// server sees it (api::ClusterRole), its hooks into serve, and the options both serve and
// `cluster status` read.
#pragma once

#include <atomic>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <optional>
#include <span>

#include "cli_args.h"
#include "orgledger/api/server.h"
#include "orgledger/cluster/cluster.h"
#include "orgledger/vault/vault.h"
#include "served_state.h"

namespace orgledger::tools {

// The cluster options of `args`, nullopt without --cluster. `listen_url` is the default of
// --advertise. Throws UsageError on a malformed one, or without --node when `node` is required.
enum class NodeName { required, none };
std::optional<cluster::Options> cluster_options(const CliArgs& args, const std::string& listen_url,
                                                NodeName node = NodeName::required);

class ClusterMembership final : public api::ClusterRole {
 public:
  // Starts the node: a replica until it wins the lease; then `state` schedules (S6, A5). A step-down
  // raises SIGUSR2, on which serve closes everything and restarts in place. `ledger` and `state`
  // must outlive the node (leave(), detach_hooks()).
  // API tokens travel with the cluster: each record `tokens` writes is shared, and every record
  // shared by another node is adopted (a token works on every node); a new writer shares them all.
  // So do the vault's data keys (wrapped): each batch `vault` makes is shared before it seals
  // anything, and every key shared by another node is adopted (every node opens personal data).
  // `vault` must outlive the node too.
  std::expected<void, cluster::Error> join(const cluster::Options& options, ledger::Ledger& ledger, ServedState& state,
                                           api::TokenStore& tokens, vault::Vault& vault,
                                           std::function<void(const std::string&)> note);
  // G2 (ServedStateParts::forget_shared): purges `key_ids` from the cluster's key bucket, then
  // waits until every live node has destroyed what the log forgot through `through`.
  std::expected<void, std::string> forget_keys(std::span<const std::string> key_ids, ledger::Position through) const;
  // The hooks reach the state no more (before it is destroyed).
  void detach_hooks();
  // Stops the node (gives up the lease when writer). Before the ledger closes.
  void leave();

  bool is_writer() const override;
  std::string writer_url() const override;
  std::uint64_t lag() const override;

 private:
  std::unique_ptr<cluster::Node> owned_;
  std::atomic<cluster::Node*> node_{nullptr};  // requests may come before join()
  // Held (shared) by the vault's calls into the node (sharing, fetching keys) and the G2 purge,
  // which may come from other threads than the requests', and (exclusive) by leave() while it
  // takes the node away, so that none of them uses a node being destroyed.
  mutable std::shared_mutex node_in_use_;
  vault::Vault* vault_ = nullptr;  // set by join(); its sharing hook is cleared by leave()
  std::mutex state_mutex_;
  ServedState* state_ = nullptr;  // under state_mutex_
};

}  // namespace orgledger::tools
