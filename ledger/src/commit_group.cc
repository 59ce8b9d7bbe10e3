// One group commit, in the steps the writer takes (issue 15, "Shape"). On the staging thread: open
// the group after the last sealed one; stage each command (repeats, decision, expected version,
// stream look-ups, then its events sealed: positions, versions, chain, tree); seal the group and
// hand it over. On the syncing thread: write the batch with sync = true, publish, answer. Each
// step is a function with its contract, so the commit path reads top to bottom.
#include <rocksdb/write_batch.h>

#include <algorithm>

#include "answer_codec.h"
#include "envelope.h"
#include "ledger_impl.h"
#include "orgledger/ledger/hash.h"
#include "store_layout.h"

namespace orgledger::ledger {

bool Ledger::Impl::stage_arrived(Staged& open, std::vector<Pending>& arrived) {
  if (!open) open = open_group();
  StagedGroup& staged = *open;
  for (auto& pending : arrived) {
    // Into the group first: its id, viewed by staged.commands, stays put in the deque.
    staged.pending.push_back(std::move(pending));
    pending.done = nullptr;  // answered through the group from now on, whatever a move leaves
    staged.outcomes.emplace_back(std::unexpected(Error{ErrorCode::stopped, ""}));
    stage_command(staged, staged.pending.back(), staged.pending.size() - 1, staged.decider);
  }
  arrived.clear();
  if (!staged.unreadable) return false;
  abandon_group(staged, staged.decider);
  return true;
}

Ledger::Impl::Staged Ledger::Impl::open_group() {
  forget_durable_in_flight();
  auto staged = std::make_unique<StagedGroup>();
  staged->follows = sealed_head_;
  staged->stopped = failure();
  staged->next = sealed_head_.position + 1;
  staged->previous = sealed_head_.hash;
  // recorded_at never goes backwards (ARCHITECTURE.md): a clock step back is clamped.
  staged->now = std::max(clock_.now(), last_recorded_at_);
  staged->decider = staged->stopped ? nullptr : decider_;
  staged->replicator = staged->stopped ? nullptr : replicator_;
  if (staged->replicator != nullptr) staged->outgoing.emplace(staged->follows, staged->now);
  if (staged->decider != nullptr) staged->decider->begin_group(staged->follows.position);
  return staged;
}

void Ledger::Impl::seal_open_group(StagedGroup& staged) {
  if (staged.unreadable) return;  // abandoned: nothing to write, only answers to give
  if (!staged.appended.empty()) return seal_group(staged, staged.decider);
  if (staged.decider != nullptr) staged.decider->failed();  // nothing staged to drop either
}

void Ledger::Impl::stage_command(StagedGroup& staged, Pending& pending, std::size_t i, GroupDecider* decider) {
  if (staged.stopped) {
    staged.outcomes[i] = std::unexpected(stopped_because(*staged.stopped));
    return;
  }
  if (!pending.replicated.empty()) return stage_replicated(staged, pending, i, decider);
  if (staged.from_log || (replicated_ && staged.replicator == nullptr)) {  // a replica: its own commands would fork the log
    staged.outcomes[i] = std::unexpected(Error{ErrorCode::invalid_argument, "this node is a replica of a replicated log: commands go to its writer"});
    return;
  }
  // A repeat of a command staged earlier in this group is answered once that one is durable.
  if (staged.commands.contains(pending.command.command_id)) return;
  if (answered_before(staged, pending.command.command_id, i)) return;
  if (pending.prepare && !prepare_command(staged, pending, i)) return;
  if (!expected_version_holds(staged, pending.command, i, decider)) return;
  if (!look_up_streams(staged, pending.command, i, decider)) return;
  seal_command(staged, pending.command, i, decider);
}

bool Ledger::Impl::answered_before(StagedGroup& staged, std::string_view command_id, std::size_t i) {
  // A command of a group still being written: its answer holds only if that group becomes durable,
  // which the syncer knows before it answers this one (refuse_unwritten).
  if (auto in_flight = in_flight_answers_.find(command_id); in_flight != in_flight_answers_.end()) {
    staged.outcomes[i] = in_flight->second;
    staged.outcomes[i]->duplicate = true;
    staged.repeats_in_flight.push_back(i);
    return true;
  }
  auto earlier = find_command(command_id);
  if (!earlier) {
    staged.outcomes[i] = std::unexpected(earlier.error());
    return true;
  }
  if (!*earlier) return false;
  (*earlier)->duplicate = true;
  staged.outcomes[i] = std::move(**earlier);
  return true;
}

bool Ledger::Impl::prepare_command(StagedGroup& staged, Pending& pending, std::size_t i) {
  // Decided here, against the durable state and what this group staged before it.
  auto prepared = pending.prepare(staged.now);
  if (!prepared) {
    staged.outcomes[i] = std::unexpected(prepared.error());
    return false;
  }
  if (prepared->command_id != pending.command.command_id) {
    staged.outcomes[i] = std::unexpected(Error{ErrorCode::invalid_argument, "prepare changed the command id"});
    return false;
  }
  if (auto problem = check_command(*prepared)) {
    staged.outcomes[i] = std::unexpected(*problem);
    return false;
  }
  pending.command = std::move(*prepared);
  return true;
}

bool Ledger::Impl::expected_version_holds(StagedGroup& staged, const CommandAppend& command, std::size_t i,
                                          const GroupDecider* decider) {
  if (!command.expected) return true;
  const auto& expected = *command.expected;
  auto current = staged_version(expected.stream, staged.versions, decider);
  if (!current) {
    staged.outcomes[i] = std::unexpected(current.error());
    return false;
  }
  if (*current != expected.version) {
    staged.outcomes[i] = std::unexpected(Error{ErrorCode::version_conflict,
                                               "stream " + expected.stream + " is at version " + std::to_string(*current) +
                                                   ", expected " + std::to_string(expected.version)});
    return false;
  }
  staged.versions.try_emplace(expected.stream, *current);
  return true;
}

bool Ledger::Impl::look_up_streams(StagedGroup& staged, const CommandAppend& command, std::size_t i,
                                   const GroupDecider* decider) {
  // Every stream is looked up before anything is staged, so a failed look-up leaves no half
  // command; what was found is kept with the group's versions, so sealing reads nothing again.
  for (const auto& draft : command.events) {
    auto version = staged_version(draft.stream, staged.versions, decider);
    if (!version) {
      staged.outcomes[i] = std::unexpected(version.error());
      return false;
    }
    staged.versions.try_emplace(draft.stream, *version);
  }
  return true;
}

void Ledger::Impl::seal_command(StagedGroup& staged, CommandAppend& command, std::size_t i, GroupDecider* decider) {
  CommandAnswer answer;
  const auto count = static_cast<std::uint16_t>(command.events.size());
  const std::size_t first_of_command = staged.events.size();
  for (std::uint16_t index = 0; index < count; ++index) {
    answer.events.push_back(seal_event(staged, command.events[index], index, count, decider));
  }
  if (decider != nullptr) decider->staged(std::span(staged.events).subspan(first_of_command));
  const std::string& primary = command.expected ? command.expected->stream : command.events.front().stream;
  answer.position = staged.next - 1;
  answer.stream = primary;
  answer.stream_version = staged.versions.at(primary);
  const std::string encoded = answer_codec::encode(answer);
  staged.batch.Put(store_->commands(), command.command_id, encoded);
  if (staged.outgoing) staged.outgoing->add_answer(command.command_id, encoded);
  staged.commands.emplace(command.command_id, i);
  staged.outcomes[i] = std::move(answer);
  staged.appended.push_back(i);
}

EventRef Ledger::Impl::seal_event(StagedGroup& staged, EventDraft& draft, std::uint16_t index,
                                              std::uint16_t count, const GroupDecider* decider) {
  const Position position = staged.next++;
  const StreamVersion version = staged.versions.at(draft.stream) + 1;  // looked up by look_up_streams
  staged.versions[draft.stream] = version;
  envelope::patch(draft.envelope, {position, version, staged.now, staged.previous, index, count});
  const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(draft.envelope.data()),
                                            draft.envelope.size());
  const Hash hash = chain_hash(staged.previous, bytes);
  staged.previous = hash;

  std::string stored;
  stored.reserve(hash.size() + draft.envelope.size());
  stored.append(reinterpret_cast<const char*>(hash.data()), hash.size());
  stored.append(draft.envelope);
  const std::string key = layout::position_key(position);
  staged.batch.Put(store_->events(), key, stored);
  if (staged.outgoing) staged.outgoing->add_event(stored);
  staged.batch.Put(store_->streams(), layout::stream_key(draft.stream, version), key);
  // The tree's nodes this leaf completes, in the same batch (issue 14).
  if (build_tree_) {
    if (auto tree_staged = tree_->stage(bytes, staged.batch); !tree_staged) staged.unreadable = tree_staged.error();
  }
  const EventRef event{position, envelope::payload_type(draft.envelope)};
  if (decider != nullptr) {
    // The batch holds its own copy: the event's bytes move on to the decider.
    auto recorded = RecordedEvent::from_stored(position, std::move(stored));
    if (recorded) staged.events.push_back(std::move(*recorded));
    else staged.unreadable = recorded.error();
  }
  return event;
}

void Ledger::Impl::abandon_group(StagedGroup& staged, GroupDecider* decider) {
  // Never expected (the envelope was checked and patched in place); written, it would be an
  // event the decider's state never saw. Nothing of the group is written, and the next group
  // follows the last sealed one as if this one had never been.
  if (decider != nullptr) decider->failed();
  if (build_tree_) tree_->abandoned();
  for (std::size_t i : staged.appended) staged.outcomes[i] = std::unexpected(*staged.unreadable);
  staged.appended.clear();
}

void Ledger::Impl::seal_group(StagedGroup& staged, GroupDecider* decider) {
  staged.head = Head{staged.next - 1, staged.previous};
  staged.batch.Put(store_->meta(), rocksdb::Slice(layout::kHeadKey.data(), layout::kHeadKey.size()),
                   layout::encode_head(staged.head));
  if (staged.from_log) put_replication_sequence(staged);
  if (build_tree_) {
    tree_->stage_size(staged.batch);
    staged.tree_size = tree_->seal();
  }
  if (decider != nullptr) {
    decider->sealed();
  } else {
    for (auto& [stream, version] : staged.versions) stream_versions_[stream] = version;
  }
  sealed_head_ = staged.head;
  last_recorded_at_ = staged.now;
  remember_in_flight(staged);
}

void Ledger::Impl::remember_in_flight(const StagedGroup& staged) {
  std::vector<std::string> ids;
  ids.reserve(staged.commands.size());
  for (const auto& [id, i] : staged.commands) {
    ids.emplace_back(id);
    in_flight_answers_.insert_or_assign(ids.back(), *staged.outcomes[i]);
  }
  in_flight_groups_.emplace_back(staged.head.position, std::move(ids));
}

void Ledger::Impl::forget_durable_in_flight() {
  if (in_flight_groups_.empty()) return;
  // A group is in the store before the head passes it: its answers are found there from then on.
  const Position durable = head().position;
  while (!in_flight_groups_.empty() && in_flight_groups_.front().first <= durable) {
    for (const auto& id : in_flight_groups_.front().second) in_flight_answers_.erase(id);
    in_flight_groups_.pop_front();
  }
}

void Ledger::Impl::finish_group(StagedGroup& staged) {
  // Sealed while the groups before it were being written: if one of them failed, this one is not
  // written, and what it decided against them (repeats, versions, rules) does not hold.
  if (!staged.stopped) {
    if (auto stopped = failure()) refuse_unwritten(staged, *stopped);
  }
  if (!staged.appended.empty()) write_group(staged);
}

void Ledger::Impl::refuse_unwritten(StagedGroup& staged, const Error& reason) {
  for (auto& outcome : staged.outcomes) outcome = std::unexpected(stopped_because(reason));
  const Error unknown{ErrorCode::outcome_unknown,
                      "the command was being made durable when the store failed (" + reason.message +
                          "): it may or may not be in the log; resubmit it with the same command id after a restart"};
  for (std::size_t i : staged.repeats_in_flight) staged.outcomes[i] = std::unexpected(unknown);
  staged.appended.clear();
  staged.stopped = reason;
}

void Ledger::Impl::write_group(StagedGroup& staged) {
  rocksdb::WriteOptions durable_write;
  durable_write.sync = true;
  const auto write_started = std::chrono::steady_clock::now();
  auto status = store_->stopped();
  // Issue 18: published first; a group the replicated log did not take is neither written nor
  // acknowledged, and this writer stops (it is stale, or cannot know).
  if (status.ok() && staged.replicator != nullptr && !replicate_group(staged)) return;
  if (status.ok()) status = store_->db().Write(durable_write, &staged.batch);
  // A sync that failed anywhere in the store (a background flush's included) fail-stops it: what
  // it should have made durable may not be, so nothing more is acknowledged.
  if (auto failed_sync = store_->sync_failure(); status.ok() && failed_sync) status = rocksdb::Status::IOError(*failed_sync);
  staged.write_time = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - write_started);
  if (status.ok()) return group_durable(staged);
  // Fail-stop: nothing of this group is published or acknowledged, and nothing after it is
  // accepted (the group sealed after it included: finish_group), so no reader ever sees a gap or
  // half a command. The batch may be on disk all the same (a failed fsync says nothing of what
  // reached it): its submitters are told the outcome is unknown, never that it failed.
  const Error reason = io_error("durable write failed", status);
  stop_writing(reason);
  const Error unknown{ErrorCode::outcome_unknown,
                      "the store failed while the command was being made durable (" + reason.message +
                          "): it may or may not be in the log; resubmit it with the same command id after a restart"};
  for (std::size_t i : staged.appended) staged.outcomes[i] = std::unexpected(unknown);
  for (std::size_t i : staged.repeats_in_flight) staged.outcomes[i] = std::unexpected(unknown);
}

void Ledger::Impl::group_durable(StagedGroup& staged) {
  if (build_tree_) tree_->committed(staged.tree_size);
  if (staged.decider != nullptr) staged.decider->durable(staged.events);
  if (auto* observer = observer_.load()) {
    observer->group_written(staged.appended.size(), staged.head.position - staged.follows.position, staged.write_time);
  }
  publish(staged.head, staged.sequence);
}

void Ledger::Impl::put_replication_sequence(StagedGroup& staged) {
  staged.batch.Put(store_->meta(),
                   rocksdb::Slice(layout::kReplicationSequenceKey.data(), layout::kReplicationSequenceKey.size()),
                   layout::position_key(staged.sequence));
}

bool Ledger::Impl::replicate_group(StagedGroup& staged) {
  const std::string message = staged.outgoing->finish();
  auto sequence = staged.replicator->replicate(message, staged.follows.position + 1);
  if (sequence) {
    staged.sequence = *sequence;
    put_replication_sequence(staged);
    return true;
  }
  const Error reason{ErrorCode::stopped, "the replicated log did not take a group: " + sequence.error().message};
  stop_writing(reason);
  // Refused by the log (fenced: another writer holds it): not taken anywhere. Any other failure
  // (a timeout, a lost connection) may have reached a quorum before the answer was lost.
  const Error outcome = sequence.error().code == ErrorCode::version_conflict
                            ? Error{ErrorCode::stopped, "this node is no longer the writer: " + sequence.error().message}
                            : Error{ErrorCode::outcome_unknown,
                                    "the replicated log's answer was lost (" + sequence.error().message +
                                        "): the command may or may not be in the log; resubmit it with the same command id"};
  // Repeats of commands of an earlier group keep their answers: that group is durable (else this
  // one would have been refused unwritten, finish_group).
  for (std::size_t i : staged.appended) staged.outcomes[i] = std::unexpected(outcome);
  return false;
}

void Ledger::Impl::answer_group(StagedGroup& staged) {
  answer_repeats(staged);
  std::vector<Answered> answered;
  answered.reserve(staged.pending.size());
  for (std::size_t i = 0; i < staged.pending.size(); ++i) {
    answered.push_back({std::exchange(staged.pending[i].done, nullptr), std::move(staged.outcomes[i])});
  }
  hand_over(std::move(answered));
}

void Ledger::Impl::answer_repeats(StagedGroup& staged) {
  if (staged.stopped) return;
  for (std::size_t i = 0; i < staged.pending.size(); ++i) {
    auto it = staged.commands.find(staged.pending[i].command.command_id);
    if (it == staged.commands.end() || it->second >= i) continue;
    staged.outcomes[i] = staged.outcomes[it->second];
    if (staged.outcomes[i]) staged.outcomes[i]->duplicate = true;
  }
}

std::expected<StreamVersion, Error> Ledger::Impl::staged_version(
    const std::string& stream, const std::unordered_map<std::string, StreamVersion>& staged,
    const GroupDecider* decider) {
  if (auto it = staged.find(stream); it != staged.end()) return it->second;
  if (decider != nullptr) {
    // Most commands name a stream never written before (a new user, organization, ticket): the
    // decider's state says so at once, where the store would search its index for nothing.
    if (auto known = decider->durable_version(stream)) return *known;
    // It cannot vouch (it fell out of step): the store can, once no sealed group is in flight.
    drain_pipeline();
    return store_->stream_version(stream);
  }
  if (auto it = stream_versions_.find(stream); it != stream_versions_.end()) return it->second;
  auto version = store_->stream_version(stream);
  if (version) stream_versions_.emplace(stream, *version);
  return version;
}

}  // namespace orgledger::ledger
