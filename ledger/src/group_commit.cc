// Group commit: many submitters, one writer. The writer takes everything pending, assigns gapless
// positions and stream versions (checking expected versions and repeated command ids against the
// durable state *and* the earlier commands of the same group), chains the hashes, writes one
// WriteBatch with sync = true, and only then publishes the new head and answers the submitters.
// This file: submission, the writer and completer threads, publication. One group's steps are
// commit_group.cc's.
#include <pthread.h>
#include <rocksdb/write_batch.h>

#include <algorithm>
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
                   const Head& head, Micros last_recorded_at, bool build_tree)
    : store_(std::move(store)), tree_(std::move(tree)), build_tree_(build_tree), clock_(clock), mode_(mode),
      head_(head), last_recorded_at_(last_recorded_at) {
  if (mode_ == OpenMode::read_write) {
    // Sized ahead: growing a table of millions of streams rehashes it on the writer, a pause every
    // submitter feels. 8 bytes a bucket: 16 MiB for the first two million streams.
    stream_versions_.reserve(kStreamCacheHeadroom);
    completer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "ledger-answer");  // named for top, perf and gdb
      run_completer();
    });
    writer_ = std::thread([this] {
      pthread_setname_np(pthread_self(), "ledger-writer");
      run_writer();
    });
  }
}

Ledger::Impl::~Impl() {
  {
    std::lock_guard lock(queue_mutex_);
    closing_ = true;
  }
  queue_changed_.notify_all();
  if (writer_.joinable()) writer_.join();
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
  {
    std::lock_guard lock(queue_mutex_);
    if (!closing_) {
      queue_.push_back(Pending{std::move(command), std::move(done)});
      queue_changed_.notify_one();
      return;
    }
  }
  done(std::unexpected(Error{ErrorCode::stopped, "the ledger is closing"}));
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
  {
    std::lock_guard lock(queue_mutex_);
    if (!closing_) {
      queue_.push_back(Pending{std::move(placeholder), std::move(done), std::move(prepare)});
      queue_changed_.notify_one();
      return;
    }
  }
  done(std::unexpected(Error{ErrorCode::stopped, "the ledger is closing"}));
}

void Ledger::Impl::set_decider(GroupDecider* decider) {
  std::lock_guard lock(group_mutex_);  // never in the middle of a group
  decider_ = decider;
  // The cache is neither read nor kept up to date while a decider answers for the versions, so
  // whatever it holds may be stale once one comes or goes.
  stream_versions_.clear();
}

void Ledger::Impl::run_writer() {
  std::vector<Pending> group;
  for (;;) {
    {
      std::unique_lock lock(queue_mutex_);
      queue_changed_.wait(lock, [this] { return closing_ || !queue_.empty(); });
      if (queue_.empty()) return;  // closing, and everything submitted has been answered
      // Submitters answered a moment ago are still on their way back: a group smaller than the
      // last one waits a fraction of a write for them, which saves an fsync per straggler.
      if (queue_.size() < last_group_size_) {
        queue_changed_.wait_for(lock, gather_window(),
                                [this] { return closing_ || queue_.size() >= last_group_size_; });
      }
      group.swap(queue_);
    }
    last_group_size_ = group.size();
    commit_group_guarded(group);
    group.clear();
  }
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
      std::move(answered.begin(), answered.end(), std::back_inserter(answered_));
      answered_changed_.notify_one();
      return;
    }
  }
  for (auto& answer : answered) give(answer);
}

void Ledger::Impl::commit_group_guarded(std::vector<Pending>& group) {
  // The exception barrier of the writer thread: a throw (a bug, or memory exhausted) must not
  // take the process down with acknowledged work in flight. It fail-stops the store instead, and
  // every submitter not yet answered learns that its outcome is unknown (the batch may have been
  // written before the throw).
  try {
    commit_group(group);
    return;
  } catch (const std::exception& error) {
    stop_writing(Error{ErrorCode::io_error, std::string("the writer failed: ") + error.what()});
  } catch (...) {
    stop_writing(Error{ErrorCode::io_error, "the writer failed"});
  }
  for (auto& pending : group) {
    if (!pending.done) continue;
    auto done = std::exchange(pending.done, nullptr);
    try {
      done(std::unexpected(Error{ErrorCode::outcome_unknown, "the ledger's writer failed while committing"}));
    } catch (...) {
      // A completion that throws is a bug of its own; the others are still answered.
    }
  }
}

std::chrono::microseconds Ledger::Impl::gather_window() const {
  // A fraction of the last write: worth it where fsync is slow, negligible where it is fast.
  return std::min(last_write_time_ / 2, std::chrono::microseconds(500));
}

void Ledger::Impl::publish(const Head& head) {
  {
    std::lock_guard lock(head_mutex_);
    head_ = head;
  }
  head_changed_.notify_all();
}

void Ledger::Impl::stop_writing(Error reason) {
  std::lock_guard lock(head_mutex_);
  failure_ = std::move(reason);
}

}  // namespace orgledger::ledger
