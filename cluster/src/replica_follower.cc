#include "replica_follower.h"

#include <pthread.h>

#include <chrono>

namespace orgledger::cluster {

ReplicaFollower::ReplicaFollower(NatsLink& link, LogStream& stream, ledger::Ledger& ledger,
                                 std::function<void(const std::string&)> note, std::function<void()> applied)
    : link_(link), stream_(stream), ledger_(ledger), note_(std::move(note)), applied_(std::move(applied)) {
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

void ReplicaFollower::follow_once() {
  const std::uint64_t start = ledger_.replication_sequence() + 1;
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
  while (!stopping_) {
    natsMsg* raw_message = nullptr;
    const natsStatus s = natsSubscription_NextMsg(&raw_message, raw, 200);
    if (s == NATS_TIMEOUT) continue;
    if (s != NATS_OK) return;
    Owned<natsMsg> message(raw_message);
    jsMsgMetaData* raw_meta = nullptr;
    if (natsMsg_GetMetaData(&raw_meta, raw_message) != NATS_OK) continue;  // a heartbeat or flow control
    Owned<jsMsgMetaData> meta(raw_meta);
    const std::uint64_t sequence = meta->Sequence.Stream;
    if (sequence <= ledger_.replication_sequence()) continue;  // held already
    std::string bytes(natsMsg_GetData(raw_message), static_cast<std::size_t>(natsMsg_GetDataLength(raw_message)));
    auto appended = ledger_.append_replicated(std::move(bytes), sequence);
    if (!appended) {
      note_("the log's group at sequence " + std::to_string(sequence) + " was not appended: " + appended.error().message);
      std::this_thread::sleep_for(std::chrono::seconds(1));
      return;  // from the store's sequence again
    }
    if (applied_) applied_();
  }
}

}  // namespace orgledger::cluster
