// The node's control loop (cluster.h): every quarter of the lease's time to live it reads the log's
// end and the lease, renews the lease when it holds it, takes it when nobody does, and says where it
// stands in the node directory. Becoming the writer: stop following once the store holds the whole
// stream, then publish from the sequence the store holds.
#include <pthread.h>

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "group_publisher.h"
#include "log_stream.h"
#include "nats_link.h"
#include "node_directory.h"
#include "orgledger/cluster/cluster.h"
#include "replica_follower.h"
#include "shared_bucket.h"
#include "store_copy_service.h"
#include "writer_lease.h"

namespace orgledger::cluster {

class Node::Impl {
 public:
  Impl(const Options& options, ledger::Ledger& ledger, Hooks hooks, std::unique_ptr<NatsLink> link)
      : options_(options), ledger_(ledger), hooks_(std::move(hooks)), link_(std::move(link)), stream_(*link_, options_) {}

  // The control thread joins the cluster as soon as NATS answers: a node cut off from it at start
  // still serves what its own store answers, and joins when NATS comes back.
  void start() {
    control_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "cluster-control");
      run();
    });
  }

  ~Impl() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    wake_.notify_all();
    if (control_.joinable()) control_.join();
    if (sharer_.joinable()) sharer_.join();
    follower_.reset();
    std::shared_ptr<SharedBucket> tokens, keys;
    {
      std::lock_guard lock(mutex_);
      tokens.swap(tokens_);
      keys.swap(keys_);
    }
    tokens.reset();  // join their watchers, outside the lock (the watchers call into the server)
    keys.reset();
    if (publisher_) ledger_.set_replicator(nullptr);  // the ledger outlives the publisher
    if (writer_ && link_->connected()) lease_->release(lease_revision_);
  }

  bool is_writer() const { return writer_; }
  std::string writer_url() const {
    std::lock_guard lock(mutex_);
    return writer_url_;
  }
  std::uint64_t lag() const { return lag_; }
  std::expected<void, Error> share_token(const std::string& key, std::string_view record) {
    auto tokens = joined(&Impl::tokens_);
    if (!tokens) return std::unexpected(tokens.error());
    return (*tokens)->put(key, record);
  }
  std::expected<void, Error> share_keys(std::span<const std::pair<std::string, std::string>> keys) {
    auto bucket = joined(&Impl::keys_);
    if (!bucket) return std::unexpected(bucket.error());
    return (*bucket)->put_many(keys);
  }
  std::optional<std::string> fetch_key(const std::string& key_id) {
    auto bucket = joined(&Impl::keys_);
    if (!bucket || !link_->connected()) return std::nullopt;
    auto record = (*bucket)->get(key_id);
    if (!record) return std::nullopt;
    return std::move(*record);
  }
  std::expected<void, Error> forget_keys(std::span<const std::string> key_ids, std::uint64_t through) {
    auto bucket = joined(&Impl::keys_);
    if (!bucket) return std::unexpected(bucket.error());
    for (const auto& id : key_ids) {
      if (auto purged = (*bucket)->erase(id); !purged) return purged;
    }
    return await_shredded(through);
  }

  // Another node, and one that spoke in the last two lease times.
  bool live_peer(const std::string& name, const NodeRecord& record) const {
    return name != options_.node && wall_ms() - record.at_ms <= 2 * options_.lease_ttl.count();
  }

  // Until every other live node's record says it shredded through `through` (forget_keys).
  std::expected<void, Error> await_shredded(std::uint64_t through) {
    const auto deadline = std::chrono::steady_clock::now() + 2 * options_.publish_timeout;
    for (;;) {
      auto records = read_node_records(directory_.get());
      std::string behind;
      for (const auto& [name, record] : records) {
        if (!live_peer(name, record) || record.shredded >= through) continue;
        behind += (behind.empty() ? "" : ", ") + name;
      }
      if (behind.empty()) return {};
      if (std::chrono::steady_clock::now() >= deadline) {
        return std::unexpected(Error{"not yet confirmed by " + behind + " within " +
                                     std::to_string(std::chrono::duration_cast<std::chrono::seconds>(2 * options_.publish_timeout).count()) + " s"});
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }

  // The follower's and the control thread's: G2 done here through the returned position.
  void shred_forgotten() {
    if (!hooks_.group_applied) return;
    const auto through = hooks_.group_applied();
    if (!through) return;
    auto seen = shredded_through_.load();
    while (seen < *through && !shredded_through_.compare_exchange_weak(seen, *through)) {
    }
  }

 private:
  void run() {
    const auto tick = options_.lease_ttl / 4;
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      step();
      lock.lock();
      wake_.wait_for(lock, tick, [this] { return stopping_; });
    }
  }

  // One of the shared buckets, once the node has joined. The lock is not held across the network.
  std::expected<std::shared_ptr<SharedBucket>, Error> joined(std::shared_ptr<SharedBucket> Impl::*bucket) const {
    std::lock_guard lock(mutex_);
    if (!(this->*bucket)) return std::unexpected(Error{"this node has not joined the cluster yet"});
    return this->*bucket;
  }

  // The stream and the buckets (made when missing), then the follower. False until NATS answers.
  bool join() {
    if (auto made = stream_.ensure(); !made) return complain(made.error().message);
    if (!stream_.differs().empty()) note(stream_.differs());
    auto lease = WriterLease::open(*link_, options_);
    if (!lease) return complain(lease.error().message);
    auto directory = open_node_directory(*link_, options_);
    if (!directory) return complain(directory.error().message);
    auto tokens = SharedBucket::open(*link_, options_.stream + "_tokens", options_.replicas, hooks_.token_record);
    if (!tokens) return complain(tokens.error().message);
    auto keys = SharedBucket::open(*link_, options_.stream + "_keys", options_.replicas, hooks_.key_record);
    if (!keys) return complain(keys.error().message);
    auto copies = StoreCopyServer::start(*link_, options_, ledger_);
    if (!copies) return complain(copies.error().message);
    lease_ = std::move(*lease);
    directory_ = std::move(*directory);
    copy_server_ = std::move(*copies);
    {
      std::lock_guard lock(mutex_);
      tokens_ = std::shared_ptr<SharedBucket>(std::move(*tokens));
      keys_ = std::shared_ptr<SharedBucket>(std::move(*keys));
    }
    follow();
    note("joined the cluster as a replica at position " + std::to_string(ledger_.head().position));
    return true;
  }

  void follow() {
    follower_ = std::make_unique<ReplicaFollower>(
        *link_, stream_, ledger_, hooks_.note, [this] { shred_forgotten(); },
        [this](std::uint64_t first_kept, const std::atomic<bool>& stopping) { copy_a_peers_store(first_kept, stopping); });
  }

  // The follower's, when the stream no longer keeps what this store lacks: a copy of a live peer's
  // store (a replica's first, furthest ahead first: the writer's flush would slow its commands),
  // then a restart that installs it before the store opens (store_copy.h), then the stream's tail.
  void copy_a_peers_store(std::uint64_t first_kept, const std::atomic<bool>& stopping) {
    if (copied_) return;  // installed at the restart under way
    note("holds the log through sequence " + std::to_string(ledger_.replication_sequence()) +
         " but the stream keeps it from " + std::to_string(first_kept) + " on: copying a peer's store");
    auto peers = read_node_records(directory_.get());
    std::erase_if(peers, [this](const auto& peer) { return !live_peer(peer.first, peer.second); });
    std::ranges::sort(peers, std::greater<>(), [](const auto& peer) {
      return std::pair(peer.second.role != "writer", peer.second.position);
    });
    for (const auto& [name, record] : peers) {
      if (stopping) return;
      auto copied = download_store_copy(*link_, options_, name, ledger_, first_kept - 1, stopping);
      if (!copied) {
        if (!stopping) note("could not copy node " + name + "'s store: " + copied.error().message);
        continue;
      }
      copied_ = true;
      stepped_down_ = true;  // never the writer on the store it is about to replace
      note("copied node " + name + "'s store through sequence " + std::to_string(*copied) + ": restarting to install it");
      if (hooks_.step_down) hooks_.step_down("a copy of node " + name + "'s store awaits installing");
      return;
    }
    if (peers.empty()) note("no live peer to copy a store from");
    for (int i = 0; i < 50 && !stopping; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }

  bool complain(const std::string& why) {
    if (why != last_complaint_) note("cannot join the cluster yet: " + why);
    last_complaint_ = why;
    return false;
  }

  void step() {
    // Every call below waits for NATS's answer: none is made while the connection is down, so that
    // a cut-off node notices its lease ageing out on time, and stops promptly.
    if (!link_->connected()) {
      if (writer_ && std::chrono::steady_clock::now() - last_renewal() > options_.lease_ttl) step_down("cut off from NATS");
      return;
    }
    if (!lease_ && !join()) return;
    update_lag();
    auto holder = lease_->holder();
    if (holder) set_writer_url(*holder ? (*holder)->url : "");
    if (ledger_.failure()) {
      // Its store stopped (fail-stop): a writer's group may be in the stream and not here, and a
      // replica would serve an ever older state. Another node takes over; this one, restarted,
      // re-reads what it lacks from the stream.
      return step_down("the store stopped: " + ledger_.failure()->message);
    }
    if (writer_) {
      auto renewed = lease_->renew(options_.node, options_.advertise, lease_revision_);
      if (renewed) {
        lease_revision_ = *renewed;
        set_renewed_at(std::chrono::steady_clock::now());
      } else {
        step_down(renewed.error().message);
      }
    } else if (holder && !*holder && !stepped_down_) {
      try_to_become_writer();
    }
    if (!writer_) shred_forgotten();  // a state that applied a group after the follower's call
    copy_server_->drop_idle();
    heartbeat();
  }

  // Positions behind the stream's last group. The group is fetched only when this store lacks it:
  // the writer, and every replica in step, pay one stream-info request per tick, not a message.
  void update_lag() {
    auto sequence = stream_.last_sequence();
    if (!sequence) return;
    if (*sequence <= ledger_.replication_sequence()) {
      lag_ = 0;
      return;
    }
    if (auto end = log_end(stream_)) {
      const auto head = ledger_.head().position;
      lag_ = end->position > head ? end->position - head : 0;
    }
  }

  void try_to_become_writer() {
    auto revision = lease_->acquire(options_.node, options_.advertise);
    if (!revision) return;  // another node was quicker
    lease_revision_ = *revision;
    set_renewed_at(std::chrono::steady_clock::now());
    // The whole stream first: a writer that decided on less would fork the log (the fencing would
    // refuse its first group, but its commands would have been decided on a stale state).
    auto end = log_end(stream_);
    const auto deadline = std::chrono::steady_clock::now() + options_.lease_ttl / 2;
    while (end && ledger_.replication_sequence() < end->sequence && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (!end || ledger_.replication_sequence() < end->sequence) {
      note("won the lease but is behind the log: giving it back");
      lease_->release(lease_revision_);
      return;
    }
    follower_.reset();
    // Read again once nothing is appended here any more: a stale writer may have published meanwhile.
    end = log_end(stream_);
    if (!end || ledger_.replication_sequence() < end->sequence) return give_back("the log moved on while it stopped following");
    // The store must be the stream's: a store that took commands of its own (opened without
    // --cluster before it ever held a group) would publish groups that follow a head the stream
    // never had, which no replica could append.
    if (auto mismatch = store_differs_from(*end)) {
      stepped_down_ = true;  // never the writer in this run
      return give_back("its store is not the log's (" + *mismatch + "); this node stays a replica");
    }
    publisher_ = std::make_unique<GroupPublisher>(
        stream_, ledger_.replication_sequence(), [this](const std::string& why) { step_down(why); },
        // A writer whose renewals stalled publishes nothing more once its lease may have aged out.
        [this] { return std::chrono::steady_clock::now() - last_renewal() < options_.lease_ttl; });
    ledger_.set_replicator(publisher_.get());
    writer_ = true;
    set_writer_url(options_.advertise);
    // Off the control thread: its network calls must never delay the lease's renewal.
    sharer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "cluster-share");
      share_seeded_tokens();
    });
    note("is the writer from sequence " + std::to_string(ledger_.replication_sequence()) + ", position " +
         std::to_string(ledger_.head().position));
    if (hooks_.became_writer) hooks_.became_writer();
  }

  // Gives the lease back after the follower was stopped, and follows again.
  void give_back(const std::string& why) {
    note("won the lease but gives it back: " + why);
    lease_->release(lease_revision_);
    follow();
  }

  // What is wrong with the store as the log's, nullopt when its head is the stream's last group.
  std::optional<std::string> store_differs_from(const LogEnd& end) {
    const auto head = ledger_.head();
    if (end.sequence == 0) return std::nullopt;  // an empty stream: this store starts it
    if (ledger_.replication_sequence() != end.sequence) {
      return "it holds sequence " + std::to_string(ledger_.replication_sequence()) + " of " + std::to_string(end.sequence);
    }
    if (head.position != end.position || head.hash != end.hash) {
      return "its head is position " + std::to_string(head.position) + ", the log's " + std::to_string(end.position);
    }
    return std::nullopt;
  }

  void share_seeded_tokens() {
    if (!hooks_.token_records) return;
    for (const auto& [key, record] : hooks_.token_records()) {
      auto tokens = joined(&Impl::tokens_);
      if (!tokens) return;
      if (auto shared = (*tokens)->put_if_missing(key, record); !shared) note("a token was not shared: " + shared.error().message);
    }
  }

  // From the control thread, or the ledger's syncing thread (a refused publish): once.
  void step_down(const std::string& why) {
    if (stepped_down_.exchange(true)) return;
    writer_ = false;
    if (publisher_) publisher_->fence(why);
    note("steps down: " + why);
    if (hooks_.step_down) hooks_.step_down(why);
  }

  void heartbeat() {
    // The writer destroys its keys before it answers: it is shredded through its head.
    const auto head = ledger_.head().position;
    const NodeRecord record{.role = writer_ ? "writer" : "replica", .url = options_.advertise, .position = head,
                            .at_ms = wall_ms(), .shredded = writer_ ? head : shredded_through_.load()};
    const std::string value = encode_record(record);
    std::uint64_t ignored = 0;
    (void)kvStore_Put(&ignored, directory_.get(), options_.node.c_str(), value.data(), static_cast<int>(value.size()));
  }

  void set_writer_url(std::string url) {
    std::lock_guard lock(mutex_);
    writer_url_ = std::move(url);
  }

  void note(const std::string& line) {
    if (hooks_.note) hooks_.note("cluster node " + options_.node + " " + line);
  }

  const Options options_;
  ledger::Ledger& ledger_;
  const Hooks hooks_;
  std::unique_ptr<NatsLink> link_;
  LogStream stream_;
  std::unique_ptr<WriterLease> lease_;
  Owned<kvStore> directory_;
  std::unique_ptr<StoreCopyServer> copy_server_;  // made when the node joins
  std::unique_ptr<ReplicaFollower> follower_;    // control thread only
  std::unique_ptr<GroupPublisher> publisher_;    // made once, when this node becomes the writer
  std::uint64_t lease_revision_ = 0;             // control thread only
  // When the lease was last taken or renewed (steady clock ticks): read by the publisher's thread.
  std::atomic<std::chrono::steady_clock::rep> renewed_at_{0};
  void set_renewed_at(std::chrono::steady_clock::time_point at) { renewed_at_ = at.time_since_epoch().count(); }
  std::chrono::steady_clock::time_point last_renewal() const {
    return std::chrono::steady_clock::time_point(std::chrono::steady_clock::duration(renewed_at_.load()));
  }
  std::string last_complaint_;                   // likewise
  std::atomic<bool> writer_{false};
  std::atomic<bool> stepped_down_{false};
  std::atomic<bool> copied_{false};  // a peer's store awaits installing: the node restarts
  std::atomic<std::uint64_t> lag_{0};
  std::atomic<std::uint64_t> shredded_through_{0};  // G2 done here through this position (shred_forgotten)
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;   // under mutex_
  std::string writer_url_;  // under mutex_
  std::shared_ptr<SharedBucket> tokens_;  // under mutex_; made when the node joins
  std::shared_ptr<SharedBucket> keys_;    // likewise
  std::thread sharer_;  // a new writer's seeded tokens, shared once
  std::thread control_;
};

std::expected<std::unique_ptr<Node>, Error> Node::start(const Options& options, ledger::Ledger& ledger, Hooks hooks) {
  if (options.node.empty()) return std::unexpected(Error{"a node needs a name (--node)"});
  auto link = NatsLink::connect(options.servers, "orgledger " + options.node);
  if (!link) return std::unexpected(link.error());
  auto impl = std::make_unique<Impl>(options, ledger, std::move(hooks), std::move(*link));
  impl->start();
  return std::unique_ptr<Node>(new Node(std::move(impl)));
}

Node::Node(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Node::~Node() = default;
bool Node::is_writer() const { return impl_->is_writer(); }
std::string Node::writer_url() const { return impl_->writer_url(); }
std::uint64_t Node::lag() const { return impl_->lag(); }
std::expected<void, Error> Node::share_token(const std::string& key, std::string_view record) {
  return impl_->share_token(key, record);
}
std::expected<void, Error> Node::share_keys(std::span<const std::pair<std::string, std::string>> keys) {
  return impl_->share_keys(keys);
}
std::optional<std::string> Node::fetch_key(const std::string& key_id) { return impl_->fetch_key(key_id); }
std::expected<void, Error> Node::forget_keys(std::span<const std::string> key_ids, std::uint64_t through) {
  return impl_->forget_keys(key_ids, through);
}

}  // namespace orgledger::cluster
