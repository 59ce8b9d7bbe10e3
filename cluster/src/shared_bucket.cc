#include "shared_bucket.h"

#include <pthread.h>

#include <atomic>
#include <chrono>

#include "writer_lease.h"

namespace orgledger::cluster {

std::expected<std::unique_ptr<SharedBucket>, Error> SharedBucket::open(NatsLink& link, const std::string& bucket,
                                                                       int replicas, Deliver deliver) {
  auto store = open_bucket(link, bucket, replicas, std::chrono::milliseconds(0));
  if (!store) return std::unexpected(store.error());
  return std::unique_ptr<SharedBucket>(new SharedBucket(link.connection(), bucket, std::move(*store), std::move(deliver)));
}

SharedBucket::SharedBucket(natsConnection* connection, std::string name, Owned<kvStore> bucket, Deliver deliver)
    : connection_(connection), name_(std::move(name)), bucket_(std::move(bucket)), deliver_(std::move(deliver)) {
  watcher_ = std::thread([this] {
    pthread_setname_np(pthread_self(), "cluster-watch");
    watch();
  });
}

SharedBucket::~SharedBucket() {
  stopping_ = true;
  watcher_.join();
}

std::expected<void, Error> SharedBucket::put(const std::string& key, std::string_view value) {
  // A bucket just made has no leader for a moment ("no responders"): tried again for a few seconds.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
  for (;;) {
    std::uint64_t revision = 0;
    const natsStatus s = kvStore_Put(&revision, bucket_.get(), key.c_str(), value.data(), static_cast<int>(value.size()));
    if (s == NATS_OK) return {};
    if (std::chrono::steady_clock::now() >= deadline) return std::unexpected(Error{"shared record " + key + ": " + describe(s)});
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::expected<void, Error> SharedBucket::put_if_missing(const std::string& key, std::string_view value) {
  // Called on a thread of its own when a node becomes the writer, often just after the bucket was
  // made, whose first leader may take a while to be elected on a busy machine.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    std::uint64_t revision = 0;
    natsStatus s = kvStore_Create(&revision, bucket_.get(), key.c_str(), value.data(), static_cast<int>(value.size()));
    if (s == NATS_OK) return {};
    kvEntry* entry = nullptr;
    if (kvStore_Get(&entry, bucket_.get(), key.c_str()) == NATS_OK) {  // there already: kept
      kvEntry_Destroy(entry);
      return {};
    }
    if (std::chrono::steady_clock::now() >= deadline) return std::unexpected(Error{"shared record " + key + ": " + describe(s)});
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

namespace {

void count_refusal(jsCtx*, jsPubAckErr*, void* refusals) { static_cast<std::atomic<int>*>(refusals)->fetch_add(1); }

// One pipelined pass over `records`: "" when every put was acknowledged, else why not.
std::string publish_all(natsConnection* connection, const std::string& bucket,
                        std::span<const std::pair<std::string, std::string>> records) {
  std::atomic<int> refusals{0};
  jsOptions options;
  jsOptions_Init(&options);
  options.PublishAsync.ErrHandler = &count_refusal;
  options.PublishAsync.ErrHandlerClosure = &refusals;
  options.PublishAsync.MaxPending = 1024;
  jsCtx* raw = nullptr;
  if (auto s = natsConnection_JetStream(&raw, connection, &options); s != NATS_OK) return describe(s);
  Owned<jsCtx> js(raw);
  for (const auto& [key, value] : records) {
    const std::string subject = "$KV." + bucket + "." + key;  // what kvStore_Put publishes to
    if (auto s = js_PublishAsync(js.get(), subject.c_str(), value.data(), static_cast<int>(value.size()), nullptr); s != NATS_OK) {
      (void)js_PublishAsyncComplete(js.get(), nullptr);  // the ones sent still answer
      return describe(s);
    }
  }
  jsPubOptions wait;
  jsPubOptions_Init(&wait);
  wait.MaxWait = 10'000;
  if (auto s = js_PublishAsyncComplete(js.get(), &wait); s != NATS_OK) return describe(s);
  if (refusals > 0) return std::to_string(refusals.load()) + " of " + std::to_string(records.size()) + " refused";
  return "";
}

}  // namespace

std::expected<void, Error> SharedBucket::put_many(std::span<const std::pair<std::string, std::string>> records) {
  // As put(): a bucket just made may answer "no responders" for a moment.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  for (;;) {
    const auto why = publish_all(connection_, name_, records);
    if (why.empty()) return {};
    if (std::chrono::steady_clock::now() >= deadline) {
      return std::unexpected(Error{std::to_string(records.size()) + " shared records: " + why});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

std::expected<std::optional<std::string>, Error> SharedBucket::get(const std::string& key) {
  kvEntry* raw = nullptr;
  const natsStatus s = kvStore_Get(&raw, bucket_.get(), key.c_str());
  if (s == NATS_NOT_FOUND) return std::nullopt;
  if (s != NATS_OK) return std::unexpected(Error{"shared record " + key + ": " + describe(s)});
  Owned<kvEntry> entry(raw);
  return std::string(entry_value(raw));
}

std::expected<void, Error> SharedBucket::erase(const std::string& key) {
  if (auto s = kvStore_Purge(bucket_.get(), key.c_str(), nullptr); s != NATS_OK) {
    return std::unexpected(Error{"shared record " + key + ": " + describe(s)});
  }
  return {};
}

void SharedBucket::watch() {
  while (!stopping_) {
    kvWatcher* raw = nullptr;
    if (kvStore_WatchAll(&raw, bucket_.get(), nullptr) != NATS_OK) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      continue;
    }
    while (!stopping_) {
      kvEntry* entry = nullptr;
      const natsStatus s = kvWatcher_Next(&entry, raw, 200);
      if (s == NATS_TIMEOUT) continue;
      if (s != NATS_OK) break;
      if (entry == nullptr) continue;  // every initial value was delivered
      Owned<kvEntry> owned(entry);
      const bool put = kvEntry_Operation(entry) == kvOp_Put;
      const std::string value = put ? std::string(entry_value(entry)) : std::string();
      deliver_(kvEntry_Key(entry), value);
    }
    kvWatcher_Destroy(raw);
  }
}

}  // namespace orgledger::cluster
