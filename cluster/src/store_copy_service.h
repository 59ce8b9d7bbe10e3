// Whole-store copies between nodes (issue 18), for a node whose missing groups the stream no
// longer keeps. Every joined node serves copies of its store on the NATS subject
// "<stream>.copy.<node>", by request and reply, one copy at a time:
//   "open <through>"             → "ok <id> <sequence>\n" then "<file> <size>\n" per file
//   "read <id> <file> <offset>"  → "ok\n" then up to kCopyChunk bytes of the file from offset
//   "close <id>"                 → "ok\n"
//   anything that fails          → "error <why>"
// <sequence>: the stream sequence the copy holds the log through (at least); a node that holds
// less than <through> refuses before it makes a copy. A copy not read for a minute is dropped
// (drop_idle, from the node's control tick).
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
  // Stops serving, waits for the request being answered (a copy being made: the time its flush
  // takes), and removes the copy.
  ~StoreCopyServer();
  // Removes a copy nobody read for a minute (its downloader died or gave up).
  void drop_idle();

 private:
  // What libnats' callback reaches: it outlives the server until libnats says the subscription
  // is done with it (a callback may start after the subscription was closed).
  struct Door;
  StoreCopyServer(ledger::Ledger& ledger, Door* door);
  static void on_request(natsConnection* connection, natsSubscription* subscription, natsMsg* message, void* door);
  static void on_closed(void* door);
  std::string answer(std::string_view request);
  std::string open_copy(std::uint64_t through);
  std::string read_chunk(std::string_view id, std::string_view file, std::uint64_t offset);
  void drop_copy();  // mutex_ held

  ledger::Ledger& ledger_;
  const std::string directory_;
  Door* door_;
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
// it holds. Stops early (an error) once `stopping` is set; a copy not complete is removed. Errors:
// the peer did not answer, is busy or holds less, sent a file short or long, or a file could not
// be written here.
std::expected<std::uint64_t, Error> download_store_copy(NatsLink& link, const Options& options, const std::string& peer,
                                                        ledger::Ledger& ledger, std::uint64_t through,
                                                        const std::atomic<bool>& stopping);

}  // namespace orgledger::cluster
