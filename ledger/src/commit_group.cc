// One group commit, in the steps the writer takes (issue 15, "Shape"): open the group against the
// durable head; stage each command (repeats, decision, expected version, stream look-ups, then its
// events sealed: positions, versions, chain, tree); write the batch with sync = true and publish;
// answer. Each step is a function with its contract, so the commit path reads top to bottom.
#include <rocksdb/write_batch.h>

#include <algorithm>

#include "answer_codec.h"
#include "envelope.h"
#include "ledger_impl.h"
#include "orgledger/ledger/hash.h"
#include "store_layout.h"

namespace orgledger::ledger {

void Ledger::Impl::commit_group(std::vector<Pending>& group) {
  StagedGroup staged = open_group(group.size());
  std::lock_guard group_lock(group_mutex_);
  GroupDecider* const decider = decider_;
  if (decider != nullptr) decider->begin_group();
  for (std::size_t i = 0; i < group.size(); ++i) stage_command(staged, group[i], i, decider);
  if (staged.unreadable) abandon_group(staged, decider);
  if (!staged.appended.empty()) write_group(staged, decider);
  answer_repeats(staged, group);
  std::vector<Answered> answered;
  answered.reserve(group.size());
  for (std::size_t i = 0; i < group.size(); ++i) {
    answered.push_back({std::exchange(group[i].done, nullptr), std::move(staged.outcomes[i])});
  }
  hand_over(std::move(answered));
}

Ledger::Impl::StagedGroup Ledger::Impl::open_group(std::size_t commands) {
  StagedGroup staged(commands);
  staged.durable = head();
  staged.stopped = failure();
  staged.next = staged.durable.position + 1;
  staged.previous = staged.durable.hash;
  // recorded_at never goes backwards (ARCHITECTURE.md): a clock step back is clamped.
  staged.now = std::max(clock_.now(), last_recorded_at_);
  return staged;
}

void Ledger::Impl::stage_command(StagedGroup& staged, Pending& pending, std::size_t i, GroupDecider* decider) {
  if (staged.stopped) {
    staged.outcomes[i] = std::unexpected(stopped_because(*staged.stopped));
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
  staged.batch.Put(store_->commands(), command.command_id, answer_codec::encode(answer));
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
  // event the decider's state never saw. Nothing of the group is written.
  if (decider != nullptr) decider->failed();
  tree_->abandoned();
  for (std::size_t i : staged.appended) staged.outcomes[i] = std::unexpected(*staged.unreadable);
  staged.appended.clear();
}

void Ledger::Impl::write_group(StagedGroup& staged, GroupDecider* decider) {
  const Head new_head{staged.next - 1, staged.previous};
  staged.batch.Put(store_->meta(), rocksdb::Slice(layout::kHeadKey.data(), layout::kHeadKey.size()),
                   layout::encode_head(new_head));
  if (build_tree_) tree_->stage_size(staged.batch);
  rocksdb::WriteOptions durable_write;
  durable_write.sync = true;
  const auto write_started = std::chrono::steady_clock::now();
  auto status = store_->db().Write(durable_write, &staged.batch);
  // A sync that failed anywhere in the store (a background flush's included) fail-stops it: what
  // it should have made durable may not be, so nothing more is acknowledged.
  if (auto failed_sync = store_->sync_failure(); status.ok() && failed_sync) status = rocksdb::Status::IOError(*failed_sync);
  last_write_time_ = std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::steady_clock::now() - write_started);
  if (status.ok()) return group_durable(staged, new_head, decider);
  // Fail-stop: nothing of this group is published or acknowledged, and nothing after it is
  // accepted, so no reader ever sees a gap or half a command. The batch may be on disk all the
  // same (a failed fsync says nothing of what reached it): its submitters are told the outcome is
  // unknown, never that it failed.
  const Error reason = io_error("durable write failed", status);
  stop_writing(reason);
  tree_->abandoned();
  if (decider != nullptr) decider->failed();
  const Error unknown{ErrorCode::outcome_unknown,
                      "the store failed while the command was being made durable (" + reason.message +
                          "): it may or may not be in the log; resubmit it with the same command id after a restart"};
  for (std::size_t i : staged.appended) staged.outcomes[i] = std::unexpected(unknown);
}

void Ledger::Impl::group_durable(StagedGroup& staged, const Head& new_head, GroupDecider* decider) {
  if (decider == nullptr) {
    for (auto& [stream, version] : staged.versions) stream_versions_[stream] = version;
  }
  last_recorded_at_ = staged.now;
  tree_->committed();
  if (decider != nullptr) decider->durable(staged.events);
  if (auto* observer = observer_.load()) {
    observer->group_written(staged.appended.size(), new_head.position - staged.durable.position, last_write_time_);
  }
  publish(new_head);
}

void Ledger::Impl::answer_repeats(StagedGroup& staged, const std::vector<Pending>& group) {
  if (staged.stopped) return;
  for (std::size_t i = 0; i < group.size(); ++i) {
    auto it = staged.commands.find(group[i].command.command_id);
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
    return store_->stream_version(stream);
  }
  if (auto it = stream_versions_.find(stream); it != stream_versions_.end()) return it->second;
  auto version = store_->stream_version(stream);
  if (version) stream_versions_.emplace(stream, *version);
  return version;
}

}  // namespace orgledger::ledger
