// What the nodes share beside the log (issue 18): records in a key-value bucket ("<stream>_<name>",
// R3, one value per key, kept until replaced or deleted), each put by the node that made it, and
// watched by every node: first every current value, then each change, delivered on the watcher's
// own thread. API tokens' records travel this way, so that a token works on every node.
#pragma once

#include <atomic>
#include <expected>
#include <functional>
#include <string>
#include <string_view>
#include <thread>

#include "nats_link.h"

namespace orgledger::cluster {

class SharedBucket {
 public:
  // `deliver(key, value)` for each put value; `value` empty for a deleted key.
  using Deliver = std::function<void(const std::string& key, const std::string& value)>;
  static std::expected<std::unique_ptr<SharedBucket>, Error> open(NatsLink& link, const std::string& bucket, int replicas,
                                                                  Deliver deliver);
  // Stops watching and joins the watcher.
  ~SharedBucket();

  std::expected<void, Error> put(const std::string& key, std::string_view value);
  // Puts `value` only when the bucket has no value for `key` (a value there is kept).
  std::expected<void, Error> put_if_missing(const std::string& key, std::string_view value);
  std::expected<void, Error> erase(const std::string& key);

 private:
  SharedBucket(Owned<kvStore> bucket, Deliver deliver);
  void watch();
  Owned<kvStore> bucket_;
  Deliver deliver_;
  std::atomic<bool> stopping_{false};
  std::thread watcher_;
};

}  // namespace orgledger::cluster
