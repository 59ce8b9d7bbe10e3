// Group commit: many submitters, one writer. The writer takes everything pending, assigns gapless
// positions and stream versions (checking expected versions and repeated command ids against the
// sealed groups *and* the earlier commands of the same group), chains the hashes, writes one
// WriteBatch with sync = true, and only then publishes the new head and answers the submitters.
// It is pipelined (issue 15): a staging thread decides and seals group N+1 while a syncing thread
// writes and fsyncs group N. This file: submission, the three threads, publication. One group's
// steps are commit_group.cc's.
#include <pthread.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
#include <future>
#include <iterator>

#include "answer_codec.h"
#include "envelope.h"
#include "ledger_impl.h"
#include "orgledger/ledger/hash.h"
#include "store_layout.h"

namespace orgledger::ledger {
namespace {

constexpr std::size_t kMaxEventsPerCommand = 65535;  // command_event_count is a ushort

// A completion that throws is a bug of its own: it must neither end the thread that gives answers
// nor keep the answers after it from being given.
template <typename Answered>
void give(Answered& answer) {
  try {
    answer.done(std::move(answer.outcome));
  } catch (...) {
  }
}

}  // namespace

Error stopped_because(const Error& reason) {
  return Error{ErrorCode::stopped, "the ledger stopped accepting appends: " + reason.message};
}

std::optional<Error> check_command(const CommandAppend& command) {
  auto invalid = [](std::string message) { return Error{ErrorCode::invalid_argument, std::move(message)}; };
  if (command.command_id.empty()) return invalid("a command id is required");
  if (command.actor.empty()) return invalid("an actor is required");
  if (command.events.empty()) return invalid("a command appends at least one event");
  if (command.events.size() > kMaxEventsPerCommand) return invalid("too many events in one command");
  auto bad_stream = [](std::string_view stream) {
    return stream.empty() || stream.find('\0') != std::string_view::npos;
  };
  if (command.expected && bad_stream(command.expected->stream)) return invalid("bad expected stream");
  for (const auto& draft : command.events) {
    if (bad_stream(draft.stream)) return invalid("bad stream name");
    if (auto problem = envelope::check_draft(command, draft)) return invalid(*problem);
  }
  return std::nullopt;
}

Ledger::Impl::Impl(std::unique_ptr<Store> store, std::unique_ptr<TreeStore> tree, const Clock& clock, OpenMode mode,
                   const Head& head, Micros last_recorded_at, bool build_tree, bool pipelined, bool replicated)
    : store_(std::move(store)), tree_(std::move(tree)), build_tree_(build_tree), pipelined_(pipelined), clock_(clock), mode_(mode),
      head_(head), replicated_(replicated), sealed_head_(head), last_recorded_at_(last_recorded_at) {
  const rocksdb::Slice sequence_key(layout::kReplicationSequenceKey.data(), layout::kReplicationSequenceKey.size());
  if (auto sequence = store_->get(store_->meta(), sequence_key); sequence && *sequence) {
    replication_sequence_ = layout::parse_position_key(**sequence).value_or(0);
  }
  // A store that holds groups of a replicated log stays its replica, whoever opens it (`submit`,
  // `token create`, `serve` without --cluster): a local command would fork it from the log.
  replicated_ = replicated_ || replication_sequence_ != 0;
  if (mode_ == OpenMode::read_write) {
    // Sized ahead: growing a table of millions of streams rehashes it on the writer, a pause every
    // submitter feels. 8 bytes a bucket: 16 MiB for the first two million streams.
    stream_versions_.reserve(kStreamCacheHeadroom);
    completer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "ledger-answer");  // named for top, perf and gdb
      run_completer();
    });
    syncer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "ledger-sync");
      run_syncer();
    });
    writer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "ledger-writer");
      run_stager();
    });
  }
}

Ledger::Impl::~Impl() {
  {
    std::lock_guard lock(queue_mutex_);
    closing_ = true;
  }
  queue_changed_.notify_all();
  if (writer_.joinable()) writer_.join();  // it seals what it had open, then tells the syncer it is done
  if (syncer_.joinable()) syncer_.join();
  {
    std::lock_guard lock(answered_mutex_);
    writer_done_ = true;
  }
  answered_changed_.notify_all();
  if (completer_.joinable()) completer_.join();
}

void Ledger::Impl::submit(CommandAppend command, Completion done) {
  if (mode_ == OpenMode::read_only) {
    done(std::unexpected(Error{ErrorCode::read_only, "the ledger was opened read-only"}));
    return;
  }
  // Checked here, on the submitter's thread, so that the writer only does what must be serial.
  if (auto problem = check_command(command)) {
    done(std::unexpected(*problem));
    return;
  }
  enqueue(Pending{std::move(command), std::move(done)});
}

void Ledger::Impl::submit_decided(std::string command_id, Prepare prepare, Completion done) {
  if (mode_ == OpenMode::read_only) {
    done(std::unexpected(Error{ErrorCode::read_only, "the ledger was opened read-only"}));
    return;
  }
  if (command_id.empty()) {
    done(std::unexpected(Error{ErrorCode::invalid_argument, "a command id is required"}));
    return;
  }
  CommandAppend placeholder;
  placeholder.command_id = std::move(command_id);
  enqueue(Pending{std::move(placeholder), std::move(done), std::move(prepare)});
}

void Ledger::Impl::submit_replicated(std::string message, std::uint64_t sequence, Completion done) {
  if (mode_ == OpenMode::read_only) {
    done(std::unexpected(Error{ErrorCode::read_only, "the ledger was opened read-only"}));
    return;
  }
  // An empty message is no group (and `replicated` empty marks a command of this ledger's own).
  if (message.empty()) {
    done(std::unexpected(Error{ErrorCode::invalid_argument, "not a replicated group: empty"}));
    return;
  }
  Pending pending;
  pending.done = std::move(done);
  pending.replicated = std::move(message);
  pending.sequence = sequence;
  enqueue(std::move(pending));
}

void Ledger::Impl::enqueue(Pending pending) {
  {
    std::lock_guard lock(queue_mutex_);
    if (!closing_) {
      queue_.push_back(std::move(pending));
      if (stager_should_wake()) queue_changed_.notify_one();
      return;
    }
  }
  pending.done(std::unexpected(Error{ErrorCode::stopped, "the ledger is closing"}));
}

void Ledger::Impl::set_replicator(GroupReplicator* replicator) {
  between_groups([this, replicator] { replicator_ = replicator; });
}

std::uint64_t Ledger::Impl::replication_sequence() const {
  std::lock_guard lock(head_mutex_);
  return replication_sequence_;
}

template <typename Step>
bool Ledger::Impl::survived(Step&& step) {
  try {
    step();
    return true;
  } catch (const std::exception& error) {
    stop_writing(Error{ErrorCode::io_error, std::string("the writer failed: ") + error.what()});
  } catch (...) {
    stop_writing(Error{ErrorCode::io_error, "the writer failed"});
  }
  return false;
}

template <typename Pendings>
void Ledger::Impl::answer_unknown(Pendings& pending) {
  std::vector<Answered> unknown;
  for (auto& submitted : pending) {
    if (!submitted.done) continue;
    unknown.push_back({std::exchange(submitted.done, nullptr),
                       std::unexpected(Error{ErrorCode::outcome_unknown, "the ledger's writer failed while committing"})});
  }
  hand_over(std::move(unknown));  // behind the answers already handed over: in order
}

void Ledger::Impl::set_decider(GroupDecider* decider) {
  between_groups([this, decider] {
    decider_ = decider;
    // The cache is neither read nor kept up to date while a decider answers for the versions, so
    // whatever it holds may be stale once one comes or goes.
    stream_versions_.clear();
  });
}

void Ledger::Impl::set_group_observer(GroupObserver* observer) {
  between_groups([this, observer] { observer_.store(observer); });
}

void Ledger::Impl::between_groups(std::function<void()> change) {
  std::promise<void> changed;
  auto done = changed.get_future();
  {
    std::unique_lock lock(queue_mutex_);
    if (mode_ == OpenMode::read_only || stager_done_) {
      slot_changed_.wait(lock, [this] { return !slot_ && !syncer_busy_; });
      change();
      return;
    }
    changes_.push_back([&] {
      change();
      changed.set_value();
    });
  }
  queue_changed_.notify_one();
  done.wait();
}

void Ledger::Impl::drain_pipeline() {
  std::unique_lock lock(queue_mutex_);
  slot_changed_.wait(lock, [this] { return !slot_ && !syncer_busy_; });
}

void Ledger::Impl::run_stager() {
  Staged open;  // the group being staged: it takes what arrives until it is sealed
  for (;;) {
    std::vector<Pending> arrived;
    std::vector<std::function<void()>> changes;
    std::vector<Staged> written;  // freed at the end of the turn, by the thread that built them
    bool seal_now = false;
    {
      std::unique_lock lock(queue_mutex_);
      written.swap(written_);
      gathered_ = open ? open->pending.size() : 0;
      for (;;) {
        seal_now = closing_ || !changes_.empty() || (gathered_ + queue_.size() > 0 && open_group_due());
        if (seal_now || !queue_.empty()) break;  // else stage what arrived (beside the write), then look again
        if (open && syncer_idle_) queue_changed_.wait_until(lock, gather_until_);
        else queue_changed_.wait(lock);
      }
      arrived.swap(queue_);
      changes.swap(changes_);
      gathered_ += arrived.size();
      // Decided under the lock, so that between_groups() never leaves a change nobody will run.
      stager_done_ = closing_ && arrived.empty() && changes.empty() && !open;
      if (stager_done_) break;
    }
    // A throw fail-stops the ledger (survived); the groups before this one are answered first.
    const auto staging_started = std::chrono::steady_clock::now();
    if (!arrived.empty() && !survived([&] { seal_now |= stage_arrived(open, arrived); })) {
      drain_pipeline();
      if (open) answer_unknown(open->pending);
      answer_unknown(arrived);
      open.reset();
    }
    if (open) open->staging_time += std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - staging_started);
    if (open && seal_now && !survived([&] { seal_open_group(*open); })) {
      drain_pipeline();
      answer_unknown(open->pending);
      open.reset();
    }
    if (open && seal_now) write_or_hand_over(open);
    for (auto& change : changes) {
      drain_pipeline();
      change();
    }
  }
  slot_changed_.notify_all();  // the syncer: no group will come any more
}

bool Ledger::Impl::stager_should_wake() const {
  // A wake-up per command (a futex call each, and a switch, on 2 cores) costs more than staging
  // it: the stager takes the whole queue when it looks, and looks again before it sleeps. So only
  // the first command of a burst wakes it, and, while it gathers a group for the free syncer, the
  // one that completes the group.
  if (queue_.size() == 1) return true;
  return syncer_idle_ && gathered_ + queue_.size() == gather_target_;
}

bool Ledger::Impl::open_group_due() const {
  if (!syncer_idle_) return false;
  return gathered_ + queue_.size() >= gather_target_ || std::chrono::steady_clock::now() >= gather_until_;
}

void Ledger::Impl::write_or_hand_over(Staged& sealed) {
  // A small group while the syncer has nothing to do is written right here: handing it over would
  // add a thread's wake-up (~0.1 ms on these machines) to a lone submitter's latency, and there is
  // little to stage meanwhile. Beyond that, the syncer writes and the stager goes on staging.
  constexpr std::size_t kWrittenByTheStager = 4;
  bool here = false;
  {
    std::lock_guard lock(queue_mutex_);
    // Nor does a group whose staging was cheap beside its write gain from the hand-over: the
    // overlap pays only where deciding takes a good part of an fsync (bench/RESULTS.md, "The
    // pipelined writer"); on 2 cores the wake-ups cost more than the little it overlaps.
    const bool cheap = !pipelined_ || sealed->pending.size() <= kWrittenByTheStager ||
                       sealed->staging_time * 2 < last_write_time_;
    if (cheap && syncer_idle_ && !syncer_busy_ && !slot_) {
      syncer_idle_ = false;
      gathered_ = 0;  // the open group is no more
      here = true;
    }
  }
  if (!here) return hand_to_syncer(std::move(sealed));
  write_and_answer(*sealed);
  sealed.reset();
}

void Ledger::Impl::hand_to_syncer(Staged staged) {
  {
    std::unique_lock lock(queue_mutex_);
    slot_changed_.wait(lock, [this] { return !slot_; });
    slot_ = std::move(staged);
    syncer_idle_ = false;
    gathered_ = 0;  // the open group is no more
  }
  slot_changed_.notify_all();
}

void Ledger::Impl::run_syncer() {
  for (;;) {
    Staged staged;
    {
      std::unique_lock lock(queue_mutex_);
      slot_changed_.wait(lock, [this] { return slot_ || stager_done_; });
      if (!slot_) return;  // the stager is gone and every group it sealed was written
      staged = std::move(slot_);
      syncer_busy_ = true;
    }
    write_and_answer(*staged);
    {
      std::lock_guard lock(queue_mutex_);
      // The stager frees it: glibc's per-thread caches would never see those blocks again if the
      // syncer did, and the stager would allocate afresh what the syncer had freed.
      written_.push_back(std::move(staged));
      syncer_busy_ = false;
    }
    slot_changed_.notify_all();  // drain_pipeline()
  }
}

void Ledger::Impl::write_and_answer(StagedGroup& staged) {
  const bool written = survived([&] { finish_group(staged); });
  {
    std::lock_guard lock(queue_mutex_);
    syncer_idle_ = !slot_;
    // Its submitters will be back once answered: the open group waits for as many more, for a
    // fraction of its write at most (worth it where fsync is slow, negligible where it is fast).
    // Set before the answers go out, so that what they bring back counts towards the target.
    gather_target_ = gathered_ + queue_.size() + staged.pending.size();
    gather_until_ = std::chrono::steady_clock::now() + std::min(staged.write_time / 2, std::chrono::microseconds(500));
    if (!staged.appended.empty()) last_write_time_ = staged.write_time;
  }
  queue_changed_.notify_one();  // the stager: seal the group it has open
  if (!written || !survived([&] { answer_group(staged); })) answer_unknown(staged.pending);
}

void Ledger::Impl::run_completer() {
  std::vector<Answered> batch;
  for (;;) {
    {
      std::unique_lock lock(answered_mutex_);
      completer_busy_ = false;
      answered_changed_.wait(lock, [this] { return writer_done_ || !answered_.empty(); });
      if (answered_.empty()) return;  // the writer is gone and every answer was delivered
      batch.swap(answered_);
      completer_busy_ = true;
    }
    for (auto& answer : batch) give(answer);
    batch.clear();
  }
}

void Ledger::Impl::hand_over(std::vector<Answered> answered) {
  // A few answers are cheaper to give right here than to hand over (one wake-up instead of two:
  // that is a lone submitter's latency) — unless earlier answers are still being given, which
  // must come first.
  constexpr std::size_t kAnswersGivenByTheWriter = 4;
  {
    std::lock_guard lock(answered_mutex_);
    if (answered.size() > kAnswersGivenByTheWriter || completer_busy_ || !answered_.empty()) {
      try {
        answered_.reserve(answered_.size() + answered.size());  // nothing is moved if this throws
      } catch (...) {
        // Out of memory: given right here, late rather than never.
        for (auto& answer : answered) give(answer);
        return;
      }
      std::move(answered.begin(), answered.end(), std::back_inserter(answered_));
      answered_changed_.notify_one();
      return;
    }
  }
  for (auto& answer : answered) give(answer);
}

void Ledger::Impl::publish(const Head& head, std::uint64_t sequence) {
  {
    std::lock_guard lock(head_mutex_);
    head_ = head;
    if (sequence != 0) replication_sequence_ = sequence;
  }
  head_changed_.notify_all();
}

void Ledger::Impl::stop_writing(Error reason) {
  std::lock_guard lock(head_mutex_);
  failure_ = std::move(reason);
}

}  // namespace orgledger::ledger
