#include "replica_follower.h"

#include <pthread.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <utility>

namespace orgledger::cluster {

ReplicaFollower::ReplicaFollower(NatsLink& link, LogStream& stream, ledger::Ledger& ledger,
                                 std::function<void(const std::string&)> note, std::function<void()> applied,
                                 Behind behind)
    : link_(link),
      stream_(stream),
      ledger_(ledger),
      note_(std::move(note)),
      applied_(std::move(applied)),
      behind_(std::move(behind)) {
  thread_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "cluster-follow");
    run();
  });
}

ReplicaFollower::~ReplicaFollower() {
  stopping_ = true;
  thread_.join();
}

void ReplicaFollower::run() {
  while (!stopping_) {
    follow_once();
    if (!stopping_) std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

namespace {

// The groups handed to the ledger and not yet durable: bounded, so that a replica far behind holds
// at most this many messages in memory, and enough that its writer batches them into few fsyncs.
class Window {
 public:
  static constexpr std::size_t kMaxInFlight = 256;
  // Waits for room; false once a group failed.
  bool make_room() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return in_flight_ < kMaxInFlight || failure_; });
    if (failure_) return false;
    ++in_flight_;
    return true;
  }
  void done(std::optional<std::string> failure) {
    {
      std::lock_guard lock(mutex_);
      --in_flight_;
      if (failure && !failure_) failure_ = std::move(failure);
      if (!failure) applied_ = true;
    }
    changed_.notify_all();
  }
  void drain() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return in_flight_ == 0; });
  }
  bool take_applied() {
    std::lock_guard lock(mutex_);
    return std::exchange(applied_, false);
  }
  std::optional<std::string> failure() {
    std::lock_guard lock(mutex_);
    return failure_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t in_flight_ = 0;
  bool applied_ = false;
  std::optional<std::string> failure_;
};

}  // namespace

void ReplicaFollower::follow_once() {
  const std::uint64_t start = ledger_.replication_sequence() + 1;
  // Past the stream's retention: the groups this store lacks are no longer in the stream.
  if (auto kept = stream_.kept(); kept && kept->first > start) {
    if (behind_) behind_(kept->first, stopping_);
    return;
  }
  jsSubOptions options;
  jsSubOptions_Init(&options);
  options.Stream = stream_.name().c_str();
  options.Ordered = true;  // a push consumer the client recreates on any gap: in order, none lost
  options.Config.DeliverPolicy = js_DeliverByStartSequence;
  options.Config.OptStartSeq = start;
  natsSubscription* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  if (auto s = js_SubscribeSync(&raw, link_.jetstream(), stream_.subject().c_str(), nullptr, &options, &code); s != NATS_OK) {
    if (link_.connected()) note_("cannot follow the log from sequence " + std::to_string(start) + ": " + describe(s, code));
    return;
  }
  Owned<natsSubscription> subscription(raw);
  auto window = std::make_shared<Window>();
  std::uint64_t submitted = start - 1;
  while (!stopping_) {
    // G2 and the like: told between messages, on this thread (never on the ledger's).
    if (applied_ && window->take_applied()) applied_();
    natsMsg* raw_message = nullptr;
    const natsStatus s = natsSubscription_NextMsg(&raw_message, raw, 200);
    if (s == NATS_TIMEOUT) continue;
    if (s != NATS_OK) break;
    Owned<natsMsg> message(raw_message);
    jsMsgMetaData* raw_meta = nullptr;
    if (natsMsg_GetMetaData(&raw_meta, raw_message) != NATS_OK) continue;  // a heartbeat or flow control
    Owned<jsMsgMetaData> meta(raw_meta);
    const std::uint64_t sequence = meta->Sequence.Stream;
    if (sequence <= submitted) continue;  // held already, or on its way
    if (!window->make_room()) break;
    submitted = sequence;
    std::string bytes(natsMsg_GetData(raw_message), static_cast<std::size_t>(natsMsg_GetDataLength(raw_message)));
    ledger_.append_replicated_async(std::move(bytes), sequence, [window, sequence](auto appended) {
      window->done(appended ? std::nullopt
                            : std::optional<std::string>("the log's group at sequence " + std::to_string(sequence) +
                                                         " was not appended: " + appended.error().message));
    });
  }
  // Nothing may be on its way when the next subscription starts from the store's sequence.
  window->drain();
  if (applied_ && window->take_applied()) applied_();
  if (auto failure = window->failure()) {
    note_(*failure);
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

}  // namespace orgledger::cluster
