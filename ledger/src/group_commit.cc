// Group commit: many submitters, one writer. The writer takes everything pending, assigns gapless
// positions and stream versions (checking expected versions and repeated command ids against the
// durable state *and* the earlier commands of the same group), chains the hashes, writes one
// WriteBatch with sync = true, and only then publishes the new head and answers the submitters.
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

}  // namespace

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

std::expected<StreamVersion, Error> Ledger::Impl::staged_version(
    const std::string& stream, const std::unordered_map<std::string, StreamVersion>& staged,
    const GroupDecider* decider) {
  if (auto it = staged.find(stream); it != staged.end()) return it->second;
  if (decider != nullptr) {
    // Most commands name a stream never written before (a new user, organization, ticket): the
    // decider's state says so at once, where the store would search its index for nothing.
    if (auto known = decider->durable_version(stream)) return *known;
    return store_->stream_version(stream);
  }
  if (auto it = stream_versions_.find(stream); it != stream_versions_.end()) return it->second;
  auto version = store_->stream_version(stream);
  if (version) stream_versions_.emplace(stream, *version);
  return version;
}

void Ledger::Impl::commit_group(std::vector<Pending>& group) {
  std::vector<Outcome> outcomes(group.size(), std::unexpected(Error{ErrorCode::stopped, ""}));
  // Commands of this group already staged, by id: a repeat within the group is a duplicate too.
  std::unordered_map<std::string_view, std::size_t> staged_commands;
  std::unordered_map<std::string, StreamVersion> staged_versions;

  const Head durable = head();
  const std::optional<Error> stopped = failure();
  Position next = durable.position + 1;
  Hash previous = durable.hash;
  // recorded_at never goes backwards (ARCHITECTURE.md): a clock step back is clamped.
  const Micros now = std::max(clock_.now(), last_recorded_at_);
  rocksdb::WriteBatch batch;
  std::vector<std::size_t> appended;  // indexes of the commands written by this batch
  std::lock_guard group_lock(group_mutex_);
  GroupDecider* const decider = decider_;
  std::vector<RecordedEvent> group_events;  // for the decider: what this group appends
  std::optional<Error> unreadable;           // an event just built that does not read back
  if (decider != nullptr) decider->begin_group();

  for (std::size_t i = 0; i < group.size(); ++i) {
    CommandAppend& command = group[i].command;
    if (stopped) {
      outcomes[i] = std::unexpected(stopped_because(*stopped));
      continue;
    }
    if (auto it = staged_commands.find(command.command_id); it != staged_commands.end()) {
      continue;  // answered below, once its first occurrence is durable
    }
    auto earlier = find_command(command.command_id);
    if (!earlier) {
      outcomes[i] = std::unexpected(earlier.error());
      continue;
    }
    if (*earlier) {
      (*earlier)->duplicate = true;
      outcomes[i] = std::move(**earlier);
      continue;
    }
    if (group[i].prepare) {
      // Decided here, against the durable state and what this group staged before it.
      auto prepared = group[i].prepare(now);
      if (!prepared) {
        outcomes[i] = std::unexpected(prepared.error());
        continue;
      }
      if (prepared->command_id != command.command_id) {
        outcomes[i] = std::unexpected(Error{ErrorCode::invalid_argument, "prepare changed the command id"});
        continue;
      }
      if (auto problem = check_command(*prepared)) {
        outcomes[i] = std::unexpected(*problem);
        continue;
      }
      command = std::move(*prepared);
    }
    const std::string& primary = command.expected ? command.expected->stream : command.events.front().stream;
    if (command.expected) {
      auto current = staged_version(command.expected->stream, staged_versions, decider);
      if (!current) {
        outcomes[i] = std::unexpected(current.error());
        continue;
      }
      if (*current != command.expected->version) {
        outcomes[i] = std::unexpected(Error{
            ErrorCode::version_conflict, "stream " + command.expected->stream + " is at version " +
                                             std::to_string(*current) + ", expected " +
                                             std::to_string(command.expected->version)});
        continue;
      }
      staged_versions.try_emplace(command.expected->stream, *current);
    }
    // Look every stream up before staging anything, so a failed lookup leaves no half command;
    // what was found is kept with the group's versions, so the staging below reads nothing again.
    bool lookups_ok = true;
    for (const auto& draft : command.events) {
      auto version = staged_version(draft.stream, staged_versions, decider);
      if (!version) {
        outcomes[i] = std::unexpected(version.error());
        lookups_ok = false;
        break;
      }
      staged_versions.try_emplace(draft.stream, *version);
    }
    if (!lookups_ok) continue;

    CommandAnswer answer;
    const auto count = static_cast<std::uint16_t>(command.events.size());
    const std::size_t first_of_command = group_events.size();
    for (std::uint16_t index = 0; index < count; ++index) {
      EventDraft& draft = command.events[index];
      const StreamVersion version = *staged_version(draft.stream, staged_versions, decider) + 1;
      staged_versions[draft.stream] = version;
      envelope::patch(draft.envelope, {next, version, now, previous, index, count});
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(draft.envelope.data());
      const Hash hash = chain_hash(previous, {bytes, draft.envelope.size()});

      std::string stored;
      stored.reserve(hash.size() + draft.envelope.size());
      stored.append(reinterpret_cast<const char*>(hash.data()), hash.size());
      stored.append(draft.envelope);
      const std::string key = layout::position_key(next);
      batch.Put(store_->events(), key, stored);
      batch.Put(store_->streams(), layout::stream_key(draft.stream, version), key);
      // The tree's nodes this leaf completes, in the same batch (issue 14).
      if (build_tree_) {
        if (auto staged = tree_->stage({bytes, draft.envelope.size()}, batch); !staged) unreadable = staged.error();
      }
      answer.events.push_back({next, envelope::payload_type(draft.envelope)});
      if (decider != nullptr) {
        // The batch holds its own copy: the event's bytes move on to the decider.
        auto recorded = RecordedEvent::from_stored(next, std::move(stored));
        if (recorded) group_events.push_back(std::move(*recorded));
        else unreadable = recorded.error();
      }
      previous = hash;
      ++next;
    }
    if (decider != nullptr) decider->staged(std::span(group_events).subspan(first_of_command));
    answer.position = next - 1;
    answer.stream = primary;
    answer.stream_version = *staged_version(primary, staged_versions, decider);
    batch.Put(store_->commands(), command.command_id, answer_codec::encode(answer));
    staged_commands.emplace(command.command_id, i);
    outcomes[i] = std::move(answer);
    appended.push_back(i);
  }

  if (unreadable) {
    // Never expected (the envelope was checked and patched in place); written, it would be an
    // event the decider's state never saw. Nothing of the group is written.
    if (decider != nullptr) decider->failed();
    tree_->abandoned();
    for (std::size_t i : appended) outcomes[i] = std::unexpected(*unreadable);
    appended.clear();
  }
  if (!appended.empty()) {
    const Head new_head{next - 1, previous};
    batch.Put(store_->meta(), rocksdb::Slice(layout::kHeadKey.data(), layout::kHeadKey.size()),
              layout::encode_head(new_head));
    if (build_tree_) tree_->stage_size(batch);
    rocksdb::WriteOptions durable_write;
    durable_write.sync = true;
    const auto write_started = std::chrono::steady_clock::now();
    auto status = store_->db().Write(durable_write, &batch);
    // A sync that failed anywhere in the store (a background flush's included) fail-stops it: what
    // it should have made durable may not be, so nothing more is acknowledged.
    if (auto failed_sync = store_->sync_failure(); status.ok() && failed_sync) status = rocksdb::Status::IOError(*failed_sync);
    last_write_time_ = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - write_started);
    if (status.ok()) {
      if (decider == nullptr) {
        for (auto& [stream, version] : staged_versions) stream_versions_[stream] = version;
      }
      last_recorded_at_ = now;
      tree_->committed();
      if (decider != nullptr) decider->durable(group_events);
      if (auto* observer = observer_.load()) observer->group_written(appended.size(), next - 1 - durable.position, last_write_time_);
      publish(new_head);
    } else {
      // Fail-stop: nothing of this group is published or acknowledged, and nothing after it is
      // accepted, so no reader ever sees a gap or half a command.
      // The batch may be on disk all the same (a failed fsync says nothing of what reached it):
      // its submitters are told the outcome is unknown, never that it failed.
      const Error reason = io_error("durable write failed", status);
      stop_writing(reason);
      tree_->abandoned();
      if (decider != nullptr) decider->failed();
      const Error unknown{ErrorCode::outcome_unknown,
                          "the store failed while the command was being made durable (" + reason.message +
                              "): it may or may not be in the log; resubmit it with the same command id after a restart"};
      for (std::size_t i : appended) outcomes[i] = std::unexpected(unknown);
    }
  }

  // Repeats of a command staged in this group get its answer (or its failure).
  for (std::size_t i = 0; i < group.size(); ++i) {
    if (stopped) break;
    auto it = staged_commands.find(group[i].command.command_id);
    if (it == staged_commands.end() || it->second >= i) continue;
    outcomes[i] = outcomes[it->second];
    if (outcomes[i]) outcomes[i]->duplicate = true;
  }
  std::vector<Answered> answered;
  answered.reserve(group.size());
  for (std::size_t i = 0; i < group.size(); ++i) answered.push_back({std::exchange(group[i].done, nullptr), std::move(outcomes[i])});
  hand_over(std::move(answered));
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
