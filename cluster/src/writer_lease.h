// The writer's lease: one key ("writer") in the key-value bucket "<stream>_lease", whose age limit
// is the lease's time to live. A node takes it by creating the key (only when there is none), keeps
// it by updating it at the revision it last wrote (compare-and-set), and loses it when another
// revision appears or its own ages out. The lease only elects; what fences a stale writer is the
// stream's expected last sequence (log_stream.h).
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <string>

#include "nats_link.h"

namespace orgledger::cluster {

// A key-value bucket of the cluster (made when missing).
std::expected<Owned<kvStore>, Error> open_bucket(NatsLink& link, const std::string& bucket, int replicas,
                                                 std::chrono::milliseconds ttl);

class WriterLease {
 public:
  struct Holder {
    std::string node;
    std::string url;
    std::uint64_t revision = 0;
  };
  static std::expected<std::unique_ptr<WriterLease>, Error> open(NatsLink& link, const Options& options);

  // The current holder, nullopt when none.
  std::expected<std::optional<Holder>, Error> holder();
  // Takes the lease when nobody holds it; its revision. Errors: held, or unreachable.
  std::expected<std::uint64_t, Error> acquire(const std::string& node, const std::string& url);
  // Keeps it: only if `revision` is still the last; the new revision.
  std::expected<std::uint64_t, Error> renew(const std::string& node, const std::string& url, std::uint64_t revision);
  // Gives it up (only while `revision` is the last), so that another node need not wait for it to age out.
  void release(std::uint64_t revision);

 private:
  explicit WriterLease(Owned<kvStore> bucket) : bucket_(std::move(bucket)) {}
  Owned<kvStore> bucket_;
};

}  // namespace orgledger::cluster
