// The machinery behind Ledger: the store, the single writer (group_commit.cc) and the readers.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "orgledger/ledger/ledger.h"
#include "store.h"
#include "tree_store.h"

namespace orgledger::ledger {

inline constexpr std::size_t kStreamCacheHeadroom = 2 << 20;

// Checks of a command before it is queued or staged (group_commit.cc).
std::optional<Error> check_command(const CommandAppend& command);
Error stopped_because(const Error& reason);

class Ledger::Impl {
 public:
  // `tree` is over `store`, at its stored size (and its right edge loaded when it will be staged).
  Impl(std::unique_ptr<Store> store, std::unique_ptr<TreeStore> tree, const Clock& clock, OpenMode mode,
       const Head& head, Micros last_recorded_at, bool build_tree);
  // Drains the queue (every submitted append gets its answer), then stops the writer.
  ~Impl();

  void submit(CommandAppend command, Completion done);
  void submit_decided(std::string command_id, Prepare prepare, Completion done);
  void set_decider(GroupDecider* decider);
  // Under the group lock: once it returns, the previous observer is not being called.
  void set_group_observer(GroupObserver* observer) {
    std::lock_guard lock(group_mutex_);
    observer_.store(observer);
  }
  // For the modules over the store's other families (token_records.cc).
  Store& store() const { return *store_; }
  // The Merkle tree's nodes (issue 14): built for an older store's events before the writer starts.
  TreeStore& tree() const { return *tree_; }
  OpenMode mode() const { return mode_; }

  Head head() const;
  // Waits until the head reaches `position` or `timeout` passes, and returns the head then.
  Head wait_for_head(Position position, std::chrono::milliseconds timeout) const;
  std::optional<Error> failure() const;

  std::expected<std::vector<RecordedEvent>, Error> read(Position from, std::size_t limit) const;
  std::expected<std::vector<RecordedEvent>, Error> read_stream(std::string_view stream,
                                                               StreamVersion from_version,
                                                               std::size_t limit) const;
  std::expected<StreamVersion, Error> stream_version(std::string_view stream) const;
  std::expected<std::optional<CommandAnswer>, Error> find_command(std::string_view command_id) const;

 private:
  struct Pending {
    CommandAppend command;  // for a decided command: only its id until prepare() ran
    Completion done;
    Prepare prepare;        // empty for a plain append
  };

  using Outcome = std::expected<CommandAnswer, Error>;
  struct Answered {
    Completion done;
    Outcome outcome;
  };

  void run_writer();
  void commit_group_guarded(std::vector<Pending>& group);
  // Runs the submitters' completions, in order, on a thread of their own: waking hundreds of
  // submitters costs more than a group's write, and the writer should be writing the next group.
  void run_completer();
  void hand_over(std::vector<Answered> answered);
  // What one group has staged (commit_group.cc): built command by command, written once,
  // answered from.
  struct StagedGroup {
    explicit StagedGroup(std::size_t commands) : outcomes(commands, std::unexpected(Error{ErrorCode::stopped, ""})) {}
    std::vector<Outcome> outcomes;                               // per command of the group
    std::unordered_map<std::string_view, std::size_t> commands;  // staged ids → index in the group
    std::unordered_map<std::string, StreamVersion> versions;     // streams' versions with what is staged
    std::vector<std::size_t> appended;                           // the commands the batch writes
    std::vector<RecordedEvent> events;                           // for the decider: what the group appends
    rocksdb::WriteBatch batch;
    Head durable;                      // the head the group follows
    std::optional<Error> stopped;      // fail-stopped before the group: every command refused
    Position next = 0;                 // the next event's position
    Hash previous{};                   // the last staged event's hash
    Micros now = 0;                    // recorded_at of every event of the group
    std::optional<Error> unreadable;   // an event just built that does not read back: nothing written
  };

  // Decides, writes and publishes one group: the heart of group commit. Its steps, in order:
  void commit_group(std::vector<Pending>& group);
  StagedGroup open_group(std::size_t commands);
  // Stages command `i`, or sets its outcome: refused, repeated, failed.
  void stage_command(StagedGroup& staged, Pending& pending, std::size_t i, GroupDecider* decider);
  // True when the id was appended before (its first answer, duplicate) or cannot be looked up.
  bool answered_before(StagedGroup& staged, std::string_view command_id, std::size_t i);
  bool prepare_command(StagedGroup& staged, Pending& pending, std::size_t i);
  bool expected_version_holds(StagedGroup& staged, const CommandAppend& command, std::size_t i, const GroupDecider* decider);
  bool look_up_streams(StagedGroup& staged, const CommandAppend& command, std::size_t i, const GroupDecider* decider);
  // Positions, versions, chain and tree for each event, then the command's answer, in the batch.
  void seal_command(StagedGroup& staged, CommandAppend& command, std::size_t i, GroupDecider* decider);
  EventRef seal_event(StagedGroup& staged, EventDraft& draft, std::uint16_t index, std::uint16_t count,
                      const GroupDecider* decider);
  void abandon_group(StagedGroup& staged, GroupDecider* decider);
  // The synced write; then group_durable, or fail-stop with every outcome unknown.
  void write_group(StagedGroup& staged, GroupDecider* decider);
  void group_durable(StagedGroup& staged, const Head& new_head, GroupDecider* decider);
  // A command repeated within its group gets the first occurrence's outcome.
  void answer_repeats(StagedGroup& staged, const std::vector<Pending>& group);
  // The version of `stream` counting what this group staged before the durable one. The durable
  // version comes from `decider` when it knows it, else from the cache (only without a decider:
  // see set_decider) or the store.
  std::expected<StreamVersion, Error> staged_version(const std::string& stream,
                                                     const std::unordered_map<std::string, StreamVersion>& staged,
                                                     const GroupDecider* decider);
  // How long the writer waits for the rest of a group whose submitters are still on their way.
  std::chrono::microseconds gather_window() const;
  void publish(const Head& head);
  void stop_writing(Error reason);

  std::unique_ptr<Store> store_;
  std::unique_ptr<TreeStore> tree_;  // staged by the writer only; its stored nodes read by anyone
  const bool build_tree_;            // LedgerOptions::build_merkle_tree
  const Clock& clock_;
  const OpenMode mode_;

  // Publication: the last durable event, and why writing stopped (fail-stop).
  mutable std::mutex head_mutex_;
  mutable std::condition_variable head_changed_;
  Head head_;
  std::optional<Error> failure_;

  // Submissions waiting for the writer.
  std::mutex queue_mutex_;
  std::condition_variable queue_changed_;
  std::vector<Pending> queue_;
  bool closing_ = false;

  // Answers waiting for the completer, in submission order.
  std::mutex answered_mutex_;
  std::condition_variable answered_changed_;
  std::vector<Answered> answered_;
  bool writer_done_ = false;
  bool completer_busy_ = false;  // giving answers it took from answered_

  GroupDecider* decider_ = nullptr;  // guarded by group_mutex_
  std::atomic<GroupObserver*> observer_{nullptr};
  std::mutex group_mutex_;           // held by the writer for a whole group

  // Owned by the writer thread alone.
  Micros last_recorded_at_ = 0;
  std::size_t last_group_size_ = 0;
  std::chrono::microseconds last_write_time_{0};
  std::unordered_map<std::string, StreamVersion> stream_versions_;  // durable versions, cached

  // Last: they start after everything above is initialised.
  std::thread completer_;
  std::thread writer_;
};

}  // namespace orgledger::ledger
