// The durable, tamper-evident event log.
//
// One Ledger owns one RocksDB under a data directory (layout: ledger/src/store_layout.h). Appends
// from any number of threads are grouped by a single writer thread: it assigns gapless positions,
// writes one WriteBatch per group with sync = true, and only then completes the submitters and
// makes the events visible to readers. If a write fails, the ledger stops accepting appends
// (fail-stop) and every later append answers `stopped` with the original reason.
#pragma once

#include <chrono>
#include <cstddef>
#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orgledger/ledger/clock.h"
#include "orgledger/ledger/env.h"
#include "orgledger/ledger/recorded_event.h"
#include "orgledger/ledger/types.h"

namespace orgledger::ledger {

enum class OpenMode {
  read_write,  // creates the directory and store when missing; one process at a time
  read_only,   // never writes a byte; may run beside a writing process (sees the state at open)
};

struct LedgerOptions {
  OpenMode mode = OpenMode::read_write;
  // The operating system (env.h): files, RocksDB's and the small ones beside the store, the
  // clock and randomness. Must outlive the ledger. Null: Env::system().
  Env* env = nullptr;
  // Where recorded_at comes from, when not env's clock; must outlive the ledger.
  const Clock* clock = nullptr;
  // On open for writing, this many events at the head are re-verified (structure and chain)
  // before any append, so that a damaged tail is found before anything is chained onto it.
  std::size_t reverify_on_open = 4096;
  // Whether appends stage the Merkle tree's nodes (issue 14). False only to measure what the tree
  // costs (bench/tree_bench); a store written so gets its tree at its next open with it.
  bool build_merkle_tree = true;
  // Whether the writer hands a group that was costly to decide to its second thread, to be written
  // and fsynced while the next group is decided (issue 15). Off by default: on the 2-core machines
  // measured, commands through the processor ran 15-40 % slower with it (bench/RESULTS.md, "The
  // pipelined writer"); it is for machines where an fsync costs more than deciding a group.
  bool pipelined_writer = false;
  // Part of a replicated log (issue 18, cluster/): the ledger appends commands of its own only
  // while a replicator is installed (the writer); else only the log's groups (a replica), so a
  // replica's store can never fork from the log.
  bool replicated = false;
};

// The last durable event: its position (0 for an empty log) and its chain hash.
struct Head {
  Position position = 0;
  Hash hash{};
};

class Subscription;
class GroupReplicator;  // replication.h
struct CopyFile;         // store_copy.h

// Lets the layer above decide commands on the writer thread, against the state of every group
// sealed before plus the commands staged earlier in the same group (ARCHITECTURE.md, Concurrency).
// The writer is pipelined: it stages group N+1 while group N is written and fsynced. Staging calls
// come from the staging thread, in this order per group: begin_group, each command's `staged`
// events, then `sealed` (the group goes to be written) or `failed` (it is dropped). `durable` comes
// from the syncing thread, once per sealed group and in their order, after its fsync and before
// any of its answers or the head's publication. A failed write stops the ledger for good: no
// `durable` follows, for that group or any sealed after it.
class GroupDecider {
 public:
  virtual ~GroupDecider() = default;
  // `after`: the last position of the groups sealed so far, which this group follows.
  virtual void begin_group(Position after) = 0;
  virtual void staged(std::span<const RecordedEvent> command_events) = 0;
  virtual void sealed() = 0;
  virtual void failed() = 0;
  virtual void durable(const std::vector<RecordedEvent>& group_events) = 0;
  // The version of `stream` after the sealed groups (0 for a stream never written), when the
  // decider knows every stream of the log — it folds every event — so that the writer need not
  // look it up in the store; nullopt when it cannot vouch for it. Staging thread, in a group.
  virtual std::optional<StreamVersion> durable_version(std::string_view /*stream*/) const { return std::nullopt; }
};

// Watches group commits (metrics). Called on the syncing thread after each durable write, before
// the answers go out: it must be quick and must not append.
class GroupObserver {
 public:
  virtual ~GroupObserver() = default;
  virtual void group_written(std::size_t commands, std::size_t events, std::chrono::microseconds write_time) = 0;
};

// Builds a command's append on the writer's staging thread, once its id is known not to be a repeat.
// `now` is the recorded_at its events will carry. Must not block or append.
using Prepare = std::function<std::expected<CommandAppend, Error>(Micros now)>;

class Ledger {
 public:
  using Completion = std::function<void(std::expected<CommandAnswer, Error>)>;

  // Opens (read_write: creates) the ledger in `directory`. Errors: not_found (read_only and no
  // ledger there), io_error (RocksDB could not open it, e.g. another process holds it for
  // writing), corrupt (the re-verified tail is damaged; names the first bad position).
  static std::expected<std::unique_ptr<Ledger>, Error> open(const std::string& directory,
                                                            const LedgerOptions& options = {});

  // Finishes the appends already submitted, then closes the store.
  ~Ledger();
  Ledger(const Ledger&) = delete;
  Ledger& operator=(const Ledger&) = delete;

  // Appends the events of one command atomically and returns once they are durable.
  // Thread-safe. Errors: invalid_argument (no command id or actor, no event, a draft that is not
  // a valid envelope of this command), version_conflict, stopped, read_only.
  // A command id appended before (however long ago) returns the first answer, duplicate = true,
  // and appends nothing.
  [[nodiscard]] std::expected<CommandAnswer, Error> append(CommandAppend command);

  // As append(), but returns at once; `done` runs once the outcome is durable (or failed), on one
  // of the ledger's threads (the writer's two, or the completion thread), in submission order —
  // or at once on the calling thread when the append is malformed or the ledger is read-only or
  // closing. `done` must be quick and must not wait for another append (append_async from it is
  // fine).
  void append_async(CommandAppend command, Completion done);

  // As append_async, but the events are decided by `prepare` on the writer's staging thread (see Prepare);
  // a repeated `command_id` gets the first answer without `prepare` being called.
  void append_decided_async(std::string command_id, Prepare prepare, Completion done);

  // Installs the decider (before the first append; it must outlive the ledger's appends). Takes
  // effect between two groups, once those before are written: never from a completion.
  void set_decider(GroupDecider* decider);

  // Installs (or with null removes) the observer of group commits; it must outlive its
  // installation. Thread-safe; as set_decider, between two groups.
  void set_group_observer(GroupObserver* observer);

  // Issue 18, the writer of a replicated log: from the next group on, every group is published
  // through `replicator` (replication.h) before it is written here, and only a published group is
  // acknowledged. Null: groups are local again. As set_decider, between two groups.
  void set_replicator(GroupReplicator* replicator);

  // Issue 18, a replica: appends a group the replicated log gave at `sequence` (replication.h's
  // message), byte for byte, through the writer thread like any group: the decider folds it and
  // subscribers see it. It must follow the head exactly; every event is verified (structure,
  // position, chain hash, stream version) before anything is written. Returns the new head once
  // durable. Errors: invalid_argument (not a group message, a broken chain or envelope, or this
  // ledger has a replicator), version_conflict (it does not follow the head: a repeat, or a gap),
  // stopped, read_only, outcome_unknown.
  [[nodiscard]] std::expected<Head, Error> append_replicated(std::string message, std::uint64_t sequence);
  // As append_replicated, but returns at once; `done` (as append_async's) gets the answer: its
  // `position` is the group's last. Groups submitted back to back are written together, so a
  // replica that fell behind catches up with one fsync for many groups.
  void append_replicated_async(std::string message, std::uint64_t sequence, Completion done);

  // The replicated log's sequence of the last durable group that came from or went to it (0 when
  // none): where a replica resumes. Thread-safe.
  std::uint64_t replication_sequence() const;

  // Issue 18: makes at `directory` (which must not exist) a consistent copy of the store, every
  // family as of one instant (a RocksDB checkpoint: its tables hard-linked, so cheap), for a node
  // the stream's retention left behind (store_copy.h). Returns the copy's files with their sizes.
  // Errors: io_error.
  [[nodiscard]] std::expected<std::vector<CopyFile>, Error> copy_store_to(const std::string& directory) const;

  // The last durable event. Thread-safe; never shows an event that is not yet durable.
  Head head() const;

  // Events with positions from..from+limit-1 that exist (bounded by head()). Each is verified;
  // a damaged one is a `corrupt` error naming its position.
  [[nodiscard]] std::expected<std::vector<RecordedEvent>, Error> read(Position from,
                                                                      std::size_t limit) const;

  // Events of `stream` with stream versions from `from_version` on, at most `limit`.
  [[nodiscard]] std::expected<std::vector<RecordedEvent>, Error> read_stream(
      std::string_view stream, StreamVersion from_version, std::size_t limit) const;

  // Every event of the streams whose ids begin with `prefix` ("abuse:": every abuse report), at
  // positions after `after` and up to `until` (bounded by head()), in log order. Costs those
  // streams' index entries and the events read, not the log's: the streams index is read in key
  // order (every entry, for the version check), then the events in range by position. Each event
  // is verified against its index entry. Errors: as read_stream; invalid_argument for an empty
  // prefix.
  [[nodiscard]] std::expected<std::vector<RecordedEvent>, Error> read_stream_family(std::string_view prefix,
                                                                                    Position until,
                                                                                    Position after = 0) const;

  // The durable version of `stream` (0 when it has no event).
  [[nodiscard]] std::expected<StreamVersion, Error> stream_version(std::string_view stream) const;

  // The stored answer of an appended command id, nullopt when there is none.
  [[nodiscard]] std::expected<std::optional<CommandAnswer>, Error> find_command(
      std::string_view command_id) const;

  // Events from position `from` on: first those already in the log, then new ones as they become
  // durable — in order, with no gap and no duplicate. The subscription must not outlive the ledger.
  std::unique_ptr<Subscription> subscribe(Position from) const;

  // The log as an RFC 6962 Merkle tree (merkle.h; leaf i is the event at position i + 1): the root
  // of the first `size` events, the inclusion path of leaf `leaf_index` in that tree, and the
  // consistency proof between two sizes. O(log n) reads of stored nodes. Thread-safe. Errors:
  // invalid_argument (a size outside 1..head, a leaf outside the tree, from > to), not_found (a
  // read-only open of a store whose tree was never built), corrupt (a node missing).
  [[nodiscard]] std::expected<Hash, Error> tree_root(std::uint64_t size) const;
  [[nodiscard]] std::expected<std::vector<Hash>, Error> inclusion_proof(std::uint64_t leaf_index, std::uint64_t size) const;
  [[nodiscard]] std::expected<std::vector<Hash>, Error> consistency_proof(std::uint64_t from, std::uint64_t to) const;

  // The log's id: 16 lowercase hex digits drawn when the store was created (or first opened for
  // writing by a build with checkpoints); "" for a read-only open of a store that has none.
  [[nodiscard]] std::expected<std::string, Error> log_id() const;

  // The data directory it was opened on (the vault's key store lives beside the log there, G1).
  const std::string& directory() const;
  // The operating-system seam it runs on (LedgerOptions::env, else Env::system()).
  Env& env() const;

  // Why appends stopped (fail-stop), or nullopt while the ledger is writable.
  std::optional<Error> failure() const;

  class Impl;

 private:
  explicit Ledger(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
  friend class Subscription;
  friend class TokenRecords;  // token_records.h: a module of its own over the store's `tokens` family
  friend class CheckpointLog;  // checkpoint_log.h: likewise over `checkpoints`
  friend class SnapshotRecords;  // snapshot_records.h: likewise over `snapshots`
  friend class StoreStats;  // store_stats.h: RocksDB's memory figures, for /metrics
};

// A cursor over the log that follows the head. Not thread-safe: one consumer per subscription.
class Subscription {
 public:
  ~Subscription();
  // The next events (at most `max`) in position order. Waits up to `timeout` when there is none
  // yet and returns an empty vector if none came. Errors: corrupt (names the position).
  [[nodiscard]] std::expected<std::vector<RecordedEvent>, Error> next(
      std::size_t max, std::chrono::milliseconds timeout);
  // The position the next delivered event will have.
  Position next_position() const { return next_; }

 private:
  friend class Ledger;
  Subscription(const Ledger::Impl& ledger, Position from) : ledger_(ledger), next_(from) {}
  const Ledger::Impl& ledger_;
  Position next_;
};

}  // namespace orgledger::ledger
