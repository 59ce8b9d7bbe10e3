#include "writer_lease.h"

namespace orgledger::cluster {
namespace {

constexpr const char* kKey = "writer";

std::string value_of(const std::string& node, const std::string& url) { return node + "\n" + url; }

}  // namespace

std::expected<Owned<kvStore>, Error> open_bucket(NatsLink& link, const std::string& bucket, int replicas,
                                                 std::chrono::milliseconds ttl) {
  kvStore* raw = nullptr;
  if (js_KeyValue(&raw, link.jetstream(), bucket.c_str()) == NATS_OK) return Owned<kvStore>(raw);
  kvConfig config;
  kvConfig_Init(&config);
  config.Bucket = bucket.c_str();
  config.History = 1;
  config.Replicas = replicas;
  config.StorageType = js_FileStorage;
  config.TTL = std::chrono::duration_cast<std::chrono::nanoseconds>(ttl).count();
  natsStatus s = js_CreateKeyValue(&raw, link.jetstream(), &config);
  if (s != NATS_OK && js_KeyValue(&raw, link.jetstream(), bucket.c_str()) == NATS_OK) s = NATS_OK;  // made meanwhile
  if (s != NATS_OK) return std::unexpected(Error{"the bucket " + bucket + " cannot be made: " + describe(s)});
  return Owned<kvStore>(raw);
}

std::expected<std::unique_ptr<WriterLease>, Error> WriterLease::open(NatsLink& link, const Options& options) {
  auto bucket = open_bucket(link, options.stream + "_lease", options.replicas, options.lease_ttl);
  if (!bucket) return std::unexpected(bucket.error());
  return std::unique_ptr<WriterLease>(new WriterLease(std::move(*bucket)));
}

std::expected<std::optional<WriterLease::Holder>, Error> WriterLease::holder() {
  kvEntry* raw = nullptr;
  const natsStatus s = kvStore_Get(&raw, bucket_.get(), kKey);
  if (s == NATS_NOT_FOUND) return std::nullopt;
  if (s != NATS_OK) return std::unexpected(Error{"the lease: " + describe(s)});
  Owned<kvEntry> entry(raw);
  const std::string value(entry_value(raw));
  const auto newline = value.find('\n');
  if (newline == std::string::npos) return std::nullopt;  // not a lease this build wrote: as good as none
  return Holder{value.substr(0, newline), value.substr(newline + 1), kvEntry_Revision(raw)};
}

std::expected<std::uint64_t, Error> WriterLease::acquire(const std::string& node, const std::string& url) {
  const std::string value = value_of(node, url);
  std::uint64_t revision = 0;
  if (auto s = kvStore_Create(&revision, bucket_.get(), kKey, value.data(), static_cast<int>(value.size())); s != NATS_OK) {
    return std::unexpected(Error{"the lease is held, or unreachable: " + describe(s)});
  }
  return revision;
}

std::expected<std::uint64_t, Error> WriterLease::renew(const std::string& node, const std::string& url,
                                                       std::uint64_t revision) {
  const std::string value = value_of(node, url);
  std::uint64_t renewed = 0;
  if (auto s = kvStore_Update(&renewed, bucket_.get(), kKey, value.data(), static_cast<int>(value.size()), revision);
      s != NATS_OK) {
    return std::unexpected(Error{"the lease could not be renewed: " + describe(s)});
  }
  return renewed;
}

void WriterLease::release(std::uint64_t revision) {
  // Only while it is still ours. A race with its ageing out costs the next holder one renewal
  // (it steps down); never safety, which the stream's fencing gives.
  if (auto current = holder(); current && *current && (*current)->revision == revision) (void)kvStore_Delete(bucket_.get(), kKey);
}

}  // namespace orgledger::cluster
