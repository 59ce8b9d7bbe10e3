// Signs the log's checkpoints (API.md "The Merkle tree and signed checkpoints"): at most once per
// interval while the log grows, always at a group's end (a command's end), never a size smaller
// than one signed before, and never more than an interval behind the last append. Each is stored
// (checkpoint_log.h) and recorded in a file beside the key, so a store that was cut back or
// restored from an older copy is refused rather than signed again as a fork.
#pragma once

#include <chrono>
#include <cstdint>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "orgledger/ledger/checkpoint_key.h"
#include "orgledger/ledger/ledger.h"

namespace orgledger::ledger {

struct CheckpointerOptions {
  std::string origin;       // "" → "orgledger.local/<log id>"
  std::string key_file;     // "" → <data>/checkpoint.key, created (0600) when missing
  std::string latest_file;  // "" → <key_file>.latest: the latest note this key signed for the log
  std::chrono::milliseconds interval{1000};
  std::function<void(const std::string&)> note;    // a signing that failed (it is retried)
};

class Checkpointer {
 public:
  // Loads the key, checks the log against the latest checkpoint signed for it, signs the head if
  // it is ahead, then signs in a background thread. Errors: corrupt (the log is shorter than the
  // latest checkpoint, or its tree of that size has another root: cut back, restored from an older
  // copy or rewritten), the key's (checkpoint_key.h), io_error.
  static std::expected<std::unique_ptr<Checkpointer>, Error> start(Ledger& ledger, CheckpointerOptions options);
  // Stops, then signs the head if it grew since the last checkpoint (at once, even within the
  // interval: a process that ends leaves its last commands signed).
  ~Checkpointer();
  Checkpointer(const Checkpointer&) = delete;
  Checkpointer& operator=(const Checkpointer&) = delete;

  // The latest checkpoint (signed note text); nullopt while the log is empty. Thread-safe.
  std::optional<std::string> latest() const;
  std::uint64_t latest_size() const;
  const std::string& origin() const { return origin_; }
  const PublicKey& public_key() const { return key_.public_key(); }
  // "<origin>+<key id>+<key>" (signed_note.h).
  std::string verifier_key() const;

 private:
  Checkpointer(Ledger& ledger, CheckpointKey key, std::string origin, CheckpointerOptions options);
  std::expected<void, Error> check_against_latest();
  std::expected<void, Error> sign(std::uint64_t size, std::chrono::steady_clock::time_point started);
  // Keeps `note` (of `size`) in the signer's record, then the store, then serves it.
  std::expected<void, Error> record(std::uint64_t size, const std::string& note, std::chrono::steady_clock::time_point started);
  void run();
  struct State;
  Ledger& ledger_;
  const CheckpointKey key_;
  const std::string origin_;
  const CheckpointerOptions options_;
  std::unique_ptr<State> state_;
};

// The origin a log signs as by default: "orgledger.local/<log id>".
std::string default_origin(const std::string& log_id);

}  // namespace orgledger::ledger
