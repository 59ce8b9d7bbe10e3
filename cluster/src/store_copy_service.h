// Whole-store copies between nodes (issue 18), for a node whose missing groups the stream no
// longer keeps. Every joined node serves copies of its store on the NATS subject
// "<stream>.copy.<node>", by request and reply, one copy at a time:
//   "open"                       → "ok <id> <sequence>\n" then "<file> <size>\n" per file
//   "read <id> <file> <offset>"  → "ok\n" then up to kCopyChunk bytes of the file from offset
//   "close <id>"                 → "ok\n"
//   anything that fails          → "error <why>"
// <sequence>: the stream sequence the copy holds the log through (at least). A copy not read for
// a minute is dropped.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "nats_link.h"
#include "orgledger/ledger/ledger.h"

namespace orgledger::cluster {

inline constexpr std::size_t kCopyChunk = 256 * 1024;  // well under NATS's default 1 MiB max_payload

class StoreCopyServer {
 public:
  // Serves copies of `ledger`'s store (made under "<store>/outgoing-copy") until destroyed.
  static std::expected<std::unique_ptr<StoreCopyServer>, Error> start(NatsLink& link, const Options& options,
                                                                      ledger::Ledger& ledger);
  // Stops serving, waits for a request being answered, and removes the copy.
  ~StoreCopyServer();

 private:
  explicit StoreCopyServer(ledger::Ledger& ledger);
  static void on_request(natsConnection* connection, natsSubscription* subscription, natsMsg* message, void* self);
  std::string answer(std::string_view request);
  std::string open_copy();
  std::string read_chunk(std::string_view id, std::string_view file, std::uint64_t offset);
  void drop_copy();  // mutex_ held

  ledger::Ledger& ledger_;
  const std::string directory_;
  Owned<natsSubscription> subscription_;
  std::mutex mutex_;
  struct OpenCopy {
    std::string id;
    std::map<std::string, std::uint64_t, std::less<>> files;
    std::chrono::steady_clock::time_point used;
  };
  std::optional<OpenCopy> open_;  // under mutex_
  std::uint64_t copies_made_ = 0;  // under mutex_
};

// Downloads a copy of node `peer`'s store into this store's incoming copy (store_copy.h) and marks
// it complete; the copy must hold the log through stream sequence `through`. Returns the sequence
// it holds. Stops early (an error) once `stopping` is set. Errors: the peer did not answer, is
// busy or holds less, or a file could not be written.
std::expected<std::uint64_t, Error> download_store_copy(NatsLink& link, const Options& options, const std::string& peer,
                                                        ledger::Ledger& ledger, std::uint64_t through,
                                                        const std::atomic<bool>& stopping);

}  // namespace orgledger::cluster
