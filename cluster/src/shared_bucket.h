// What the nodes share beside the log (issue 18): records in a key-value bucket ("<stream>_<name>",
// R3, one value per key, kept until replaced or deleted), each put by the node that made it, and
// watched by every node: first every current value, then each change, delivered on the watcher's
// own thread. API tokens' records travel this way, so that a token works on every node.
#pragma once

#include <atomic>
#include <expected>
#include <functional>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <thread>
#include <utility>

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
  // Puts every (key, value) of `records`, pipelined (many in flight, one wait at the end), so a
  // batch of thousands costs about one round trip. Errors: any record refused or unanswered (the
  // others may be there; putting the batch again is harmless).
  std::expected<void, Error> put_many(std::span<const std::pair<std::string, std::string>> records);
  // The value of `key` as the bucket holds it now; nullopt when it has none.
  std::expected<std::optional<std::string>, Error> get(const std::string& key);
  // Purges `key`: its value and every earlier one are gone from the bucket's stream.
  std::expected<void, Error> erase(const std::string& key);

 private:
  SharedBucket(natsConnection* connection, std::string name, Owned<kvStore> bucket, Deliver deliver);
  void watch();
  natsConnection* connection_;  // the link's, which outlives the bucket
  std::string name_;
  Owned<kvStore> bucket_;
  Deliver deliver_;
  std::atomic<bool> stopping_{false};
  std::thread watcher_;
};

}  // namespace orgledger::cluster
