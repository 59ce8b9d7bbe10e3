#include "cluster_membership.h"

#include <signal.h>
#include <unistd.h>

namespace orgledger::tools {

std::optional<cluster::Options> cluster_options(const CliArgs& args, const std::string& listen_url, NodeName node) {
  auto urls = args.value("cluster");
  if (!urls) return std::nullopt;
  cluster::Options options;
  std::string_view rest(*urls);
  while (!rest.empty()) {
    const auto comma = rest.find(',');
    const auto url = rest.substr(0, comma);
    rest = comma == std::string_view::npos ? std::string_view{} : rest.substr(comma + 1);
    if (!url.starts_with("nats://") || url.size() == 7) {
      throw UsageError("--cluster is nats://HOST:PORT[,nats://HOST:PORT…], not '" + *urls + "'");
    }
    options.servers.emplace_back(url);
  }
  if (options.servers.empty()) throw UsageError("--cluster names at least one nats:// server");
  if (node == NodeName::none) return options;
  options.node = args.value("node").value_or("");
  const bool valid_name = !options.node.empty() && options.node.find_first_not_of(
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_") == std::string::npos;
  if (!valid_name) throw UsageError("--cluster needs --node NAME (letters, digits, - and _)");
  options.advertise = args.value("advertise").value_or(listen_url);
  if (auto stream = args.value("cluster-stream")) options.stream = *stream;
  // The groups the stream keeps (made with it); a node behind them copies a peer's store.
  if (auto retention = args.number("cluster-retention")) options.retention = *retention;
  return options;
}

}  // namespace orgledger::tools

namespace orgledger::tools {

std::expected<void, cluster::Error> ClusterMembership::join(const cluster::Options& options, ledger::Ledger& ledger,
                                                            ServedState& state, api::TokenStore& tokens,
                                                            vault::Vault& vault,
                                                            std::function<void(const std::string&)> note) {
  {
    std::lock_guard lock(state_mutex_);
    state_ = &state;
  }
  cluster::Node::Hooks hooks{
      .became_writer =
          [this] {
            std::lock_guard lock(state_mutex_);
            if (state_ != nullptr) state_->start_scheduler();
          },
      .step_down = [](const std::string&) { kill(getpid(), SIGUSR2); },
      .note = note,
      .token_record =
          [&tokens, note](const std::string& key, const std::string& record) {
            if (record.empty()) return;  // never removed: a revocation is a record too
            if (auto adopted = tokens.adopt(key, record); !adopted) note("a shared token was not adopted: " + adopted.error().message);
          },
      .token_records = [&tokens] { return tokens.shared_records(); },
      .key_record =
          [&vault, note](const std::string& id, const std::string& record) {
            // A purge (empty): the log forgot the key (G2). Destroyed here at once, before this
            // node applies that group (a node back from a stop hears of it first, at its join).
            if (record.empty()) {
              if (auto destroyed = vault.destroy_keys({&id, 1}); !destroyed) {
                note("a data key the cluster purged (G2) was not destroyed here: " + destroyed.error().message);
              }
              return;
            }
            const vault::WrappedKey key{id, record};
            if (auto adopted = vault.adopt({&key, 1}); !adopted) {
              note("a shared data key was not adopted: " + adopted.error().message);
            }
          },
      .group_applied =
          [this]() -> std::optional<std::uint64_t> {
            std::lock_guard lock(state_mutex_);
            if (state_ == nullptr) return std::nullopt;
            return state_->shred_what_the_log_forgot();
          }};
  auto node = cluster::Node::start(options, ledger, std::move(hooks));
  if (!node) return std::unexpected(node.error());
  owned_ = std::move(*node);
  node_ = owned_.get();
  vault_ = &vault;
  vault.share_new_keys_with([this](std::span<const vault::WrappedKey> keys) -> std::expected<void, std::string> {
    std::shared_lock in_use(node_in_use_);
    auto* node = node_.load();
    if (node == nullptr) return std::unexpected(std::string("this node has left the cluster"));
    std::vector<std::pair<std::string, std::string>> records;
    records.reserve(keys.size());
    for (const auto& key : keys) records.emplace_back(key.id, key.record);
    if (auto shared = node->share_keys(records); !shared) return std::unexpected(shared.error().message);
    return {};
  });
  // Issue 18: a replica may apply a group before the watcher gives it the group's key.
  vault.fetch_absent_keys_with([this](std::string_view key_id) -> std::optional<std::string> {
    std::shared_lock in_use(node_in_use_);
    auto* node = node_.load();
    return node != nullptr ? node->fetch_key(std::string(key_id)) : std::nullopt;
  });
  tokens.on_record([this, note](const std::string& key, const std::string& record) {
    std::shared_lock in_use(node_in_use_);
    auto* node = node_.load();
    if (node == nullptr) return;
    if (auto shared = node->share_token(key, record); !shared) note("a token was not shared: " + shared.error().message);
  });
  return {};
}

void ClusterMembership::detach_hooks() {
  std::lock_guard lock(state_mutex_);
  state_ = nullptr;
}

std::expected<void, std::string> ClusterMembership::forget_keys(std::span<const std::string> key_ids,
                                                                ledger::Position through) const {
  std::shared_lock in_use(node_in_use_);
  auto* node = node_.load();
  if (node == nullptr) return std::unexpected(std::string("this node has left the cluster"));
  if (auto purged = node->forget_keys(key_ids, through); !purged) return std::unexpected(purged.error().message);
  return {};
}

void ClusterMembership::leave() {
  if (vault_ != nullptr) {
    vault_->share_new_keys_with({});
    vault_->fetch_absent_keys_with({});
  }
  {
    std::unique_lock taking_away(node_in_use_);
    node_ = nullptr;
  }
  owned_.reset();
}

bool ClusterMembership::is_writer() const {
  const auto* node = node_.load();
  return node != nullptr && node->is_writer();
}

std::string ClusterMembership::writer_url() const {
  const auto* node = node_.load();
  return node != nullptr ? node->writer_url() : std::string();
}

std::uint64_t ClusterMembership::lag() const {
  const auto* node = node_.load();
  return node != nullptr ? node->lag() : 0;
}

}  // namespace orgledger::tools
