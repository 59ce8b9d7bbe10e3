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
#include "orgledger/ledger/replication.h"
#include "replicated_group.h"
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
       const Head& head, Micros last_recorded_at, bool build_tree, bool pipelined, bool replicated);
  // Drains the queue (every submitted append gets its answer), then stops the writer.
  ~Impl();

  void submit(CommandAppend command, Completion done);
  void submit_decided(std::string command_id, Prepare prepare, Completion done);
  // A group of the replicated log (replication.h), staged as one command (stage_replicated).
  void submit_replicated(std::string message, std::uint64_t sequence, Completion done);
  void set_replicator(GroupReplicator* replicator);
  std::uint64_t replication_sequence() const;
  // Both wait until no group is being staged or written: once they return, the previous decider
  // or observer is not being called. Never from a completion (it may run on either writer thread).
  void set_decider(GroupDecider* decider);
  void set_group_observer(GroupObserver* observer);
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
  std::expected<std::vector<RecordedEvent>, Error> read_stream_family(std::string_view prefix, Position until,
                                                                      Position after) const;
  std::expected<StreamVersion, Error> stream_version(std::string_view stream) const;
  std::expected<std::optional<CommandAnswer>, Error> find_command(std::string_view command_id) const;

 private:
  struct Pending {
    CommandAppend command;  // for a decided command: only its id until prepare() ran
    Completion done;
    Prepare prepare;        // empty for a plain append
    std::string replicated;          // a replicated group's message (issue 18); empty otherwise
    std::uint64_t sequence = 0;      // its sequence in the replicated log
  };

  // Queues a submission for the writer, or answers it `stopped` when the ledger is closing.
  void enqueue(Pending pending);

  using Outcome = std::expected<CommandAnswer, Error>;
  struct Answered {
    Completion done;
    Outcome outcome;
  };

  // The pipelined writer: the staging thread decides and stages commands into the open group while
  // the syncing thread writes and fsyncs the one before; it seals the open group and hands it over
  // as soon as the syncer is free (issue 15). Changes of decider or observer run between groups.
  void run_stager();
  void run_syncer();
  void between_groups(std::function<void()> change);
  // Runs the submitters' completions, in order, on a thread of their own: waking hundreds of
  // submitters costs more than a group's write, and the writer should be writing the next group.
  void run_completer();
  void hand_over(std::vector<Answered> answered);
  // What one group has staged (commit_group.cc): built command by command on the staging thread,
  // then written and answered on the syncing thread.
  struct StagedGroup {
    std::deque<Pending> pending;                                 // the submissions, with their completions
    std::vector<Outcome> outcomes;                               // per command of the group
    std::unordered_map<std::string_view, std::size_t> commands;  // staged ids → index in the group
    std::unordered_map<std::string, StreamVersion> versions;     // streams' versions with what is staged
    std::vector<std::size_t> appended;                           // the commands the batch writes
    std::vector<std::size_t> repeats_in_flight;                  // answered from a group not yet durable
    std::vector<RecordedEvent> events;                           // for the decider: what the group appends
    rocksdb::WriteBatch batch;
    Head follows;                      // the last sealed group's end, which this group follows
    Head head;                         // this group's end, once sealed
    std::uint64_t tree_size = 0;       // the tree's size once this group is durable
    GroupDecider* decider = nullptr;   // the decider that staged it (none when stopped)
    std::chrono::microseconds staging_time{0};  // spent deciding and sealing its commands
    std::chrono::microseconds write_time{0};
    std::optional<Error> stopped;      // fail-stopped before the group: every command refused
    Position next = 0;                 // the next event's position
    Hash previous{};                   // the last staged event's hash
    Micros now = 0;                    // recorded_at of every event of the group
    // Issue 18. A writer's group goes out through `replicator` (built in `outgoing` as it is
    // sealed); a replica's holds groups of the replicated log (`from_log`). `sequence`: the
    // replicated log's, of the last group it holds once known.
    GroupReplicator* replicator = nullptr;
    std::optional<replicated_group::Builder> outgoing;
    bool from_log = false;
    std::uint64_t sequence = 0;
    std::optional<Error> unreadable;   // an event just built that does not read back: nothing written
  };
  using Staged = std::unique_ptr<StagedGroup>;

  // The staging thread's part (commit_group.cc), in order. stage_arrived opens a group when none
  // is open and stages `arrived` into it; true when it must be sealed at once (abandoned).
  bool stage_arrived(Staged& open, std::vector<Pending>& arrived);
  Staged open_group();
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
  // A replicated group (issue 18): checked whole against what the group staged so far, then
  // staged event by event as the writer had sealed it, with its commands' answers.
  void stage_replicated(StagedGroup& staged, Pending& pending, std::size_t i, GroupDecider* decider);
  std::expected<std::vector<RecordedEvent>, Error> check_replicated(StagedGroup& staged,
                                                                     const replicated_group::Group& group,
                                                                     const GroupDecider* decider);
  // Publishes a writer's group through its replicator before the local write; false (and the
  // outcomes set) when the replicated log did not take it.
  bool replicate_group(StagedGroup& staged);
  void put_replication_sequence(StagedGroup& staged);
  // Closes the open group: sealed when it appends, dropped (decider told) when it does not.
  void seal_open_group(StagedGroup& staged);
  // The head and tree size in the batch; the next group will follow this one.
  void seal_group(StagedGroup& staged, GroupDecider* decider);
  // Writes a group on the staging thread when the syncer is idle and the group is small or was
  // cheap to stage beside the last write; else hands it over, and the stager goes on staging.
  void write_or_hand_over(Staged& sealed);
  // Waits for the slot between the threads to be free, then leaves `staged` in it.
  void hand_to_syncer(Staged staged);

  // The syncing thread's part, in order: the synced write, then group_durable (or fail-stop with
  // every outcome unknown); a group sealed before the ledger stopped is refused unwritten. Then,
  // once the stager may seal the next group, answer_group.
  void write_and_answer(StagedGroup& staged);
  void finish_group(StagedGroup& staged);
  void write_group(StagedGroup& staged);
  void group_durable(StagedGroup& staged);
  void refuse_unwritten(StagedGroup& staged, const Error& reason);
  // A command repeated within its group gets the first occurrence's outcome.
  void answer_repeats(StagedGroup& staged);
  void answer_group(StagedGroup& staged);

  // Exception barriers of the two threads: a throw (a bug, or memory exhausted) fail-stops the
  // store instead of taking the process down (false), and every submitter not yet answered learns
  // from answer_unknown that its outcome is unknown (its batch may have been written before).
  template <typename Step>
  bool survived(Step&& step);
  template <typename Pendings>
  void answer_unknown(Pendings& pending);
  // Waits until no group is in the slot, being written or answered (staging thread, between groups).
  void drain_pipeline();

  // The version of `stream` counting what this group staged before the sealed one. The sealed
  // version comes from `decider` when it knows it, else from the cache (only without a decider:
  // see set_decider) or the store.
  std::expected<StreamVersion, Error> staged_version(const std::string& stream,
                                                     const std::unordered_map<std::string, StreamVersion>& staged,
                                                     const GroupDecider* decider);
  // Commands of sealed groups not yet known durable (their answers are not in the store yet): a
  // repeat of one is answered from here. Staging thread only; pruned as the head passes them.
  void remember_in_flight(const StagedGroup& staged);
  void forget_durable_in_flight();
  void publish(const Head& head, std::uint64_t sequence = 0);
  void stop_writing(Error reason);

  std::unique_ptr<Store> store_;
  std::unique_ptr<TreeStore> tree_;  // staged by the writer only; its stored nodes read by anyone
  const bool build_tree_;            // LedgerOptions::build_merkle_tree
  const bool pipelined_;             // LedgerOptions::pipelined_writer
  const Clock& clock_;
  const OpenMode mode_;

  // Publication: the last durable event, and why writing stopped (fail-stop).
  mutable std::mutex head_mutex_;
  mutable std::condition_variable head_changed_;
  Head head_;
  std::uint64_t replication_sequence_ = 0;  // of the last durable group that has one
  std::optional<Error> failure_;

  // Submissions waiting for the writer, changes waiting for a group's end, and the slot between
  // the staging and syncing threads: all under queue_mutex_.
  std::mutex queue_mutex_;
  std::condition_variable queue_changed_;  // the stager waits on it
  std::condition_variable slot_changed_;   // the syncer and drain_pipeline() wait on it
  std::vector<Pending> queue_;
  std::vector<std::function<void()>> changes_;
  bool closing_ = false;
  Staged slot_;               // sealed, waiting to be written
  std::vector<Staged> written_;  // answered, for the stager to free
  bool syncer_idle_ = true;   // no group in the slot or being written: the next may be sealed
  bool syncer_busy_ = false;  // writing or answering a group it took from the slot
  bool stager_done_ = false;  // no group will come any more
  // When the open group is sealed: once the syncer is free, and either `gather_target_` commands
  // are gathered (those gathered when it finished its last group, plus as many as that group
  // answered: their submitters come back) or `gather_until_` has passed. Sealing at once would
  // split the submitters into two cohorts, each waiting for the other's fsync.
  std::size_t gathered_ = 0;  // in the open group or being staged into it
  std::size_t gather_target_ = 0;
  std::chrono::steady_clock::time_point gather_until_{};
  std::chrono::microseconds last_write_time_{0};  // of the last group written
  bool open_group_due() const;
  bool stager_should_wake() const;  // by a submission, under queue_mutex_

  // Answers waiting for the completer, in submission order.
  std::mutex answered_mutex_;
  std::condition_variable answered_changed_;
  std::vector<Answered> answered_;
  bool writer_done_ = false;
  bool completer_busy_ = false;  // giving answers it took from answered_

  GroupDecider* decider_ = nullptr;  // staging thread (between_groups)
  GroupReplicator* replicator_ = nullptr;  // likewise
  // LedgerOptions::replicated, or a store holding the log's groups: set before the writer starts.
  bool replicated_ = false;
  std::atomic<GroupObserver*> observer_{nullptr};

  // Owned by the staging thread alone.
  Head sealed_head_;            // the last sealed group's end: the next group follows it
  Micros last_recorded_at_ = 0;
  std::unordered_map<std::string, StreamVersion> stream_versions_;  // versions as sealed, cached
  struct IdHash {
    using is_transparent = void;  // looked up by the string_view of a pending command's id
    std::size_t operator()(std::string_view id) const { return std::hash<std::string_view>{}(id); }
  };
  std::unordered_map<std::string, CommandAnswer, IdHash, std::equal_to<>> in_flight_answers_;
  std::deque<std::pair<Position, std::vector<std::string>>> in_flight_groups_;  // last position, ids

  // Last: they start after everything above is initialised.
  std::thread completer_;
  std::thread syncer_;
  std::thread writer_;  // the staging thread
};

}  // namespace orgledger::ledger
