// A replica's side of issue 18: a group of the replicated log is staged as its writer sealed it —
// the same bytes, positions, stream versions and answers — so every node's chain, tree and
// idempotency answers are the writer's. Nothing is staged until the whole group has been checked.
#include <rocksdb/write_batch.h>

#include "answer_codec.h"
#include "ledger_impl.h"
#include "orgledger/ledger/hash.h"
#include "store_layout.h"

namespace orgledger::ledger {
namespace {

std::unexpected<Error> broken(Position position, const std::string& what) {
  return std::unexpected(Error{ErrorCode::invalid_argument, "replicated group: " + what, position});
}

}  // namespace

void Ledger::Impl::stage_replicated(StagedGroup& staged, Pending& pending, std::size_t i, GroupDecider* decider) {
  if (staged.replicator != nullptr || (!staged.appended.empty() && !staged.from_log)) {
    staged.outcomes[i] = std::unexpected(
        Error{ErrorCode::invalid_argument, "this ledger writes groups of its own: it cannot follow a replicated log"});
    return;
  }
  auto group = replicated_group::decode(pending.replicated);
  if (!group) {
    staged.outcomes[i] = std::unexpected(group.error());
    return;
  }
  auto events = check_replicated(staged, *group, decider);
  if (!events) {
    staged.outcomes[i] = std::unexpected(events.error());
    return;
  }
  std::size_t first_of_command = staged.events.size();
  for (auto& event : *events) {
    const std::string key = layout::position_key(event.position());
    staged.batch.Put(store_->events(), key, event.stored());
    staged.batch.Put(store_->streams(), layout::stream_key(event.stream(), event.stream_version()), key);
    staged.versions[std::string(event.stream())] = event.stream_version();
    if (build_tree_) {
      if (auto tree_staged = tree_->stage(event.envelope_bytes(), staged.batch); !tree_staged) staged.unreadable = tree_staged.error();
    }
    staged.previous = event.hash();
    staged.next = event.position() + 1;
    const bool ends_command = event.ends_command();
    if (decider != nullptr) {
      staged.events.push_back(std::move(event));
      if (ends_command) {
        decider->staged(std::span(staged.events).subspan(first_of_command));
        first_of_command = staged.events.size();
      }
    }
  }
  if (decider != nullptr && first_of_command < staged.events.size()) {
    decider->staged(std::span(staged.events).subspan(first_of_command));
  }
  for (const auto& [id, answer] : group->answers) staged.batch.Put(store_->commands(), id, answer);
  staged.now = group->recorded_at;
  staged.from_log = true;
  staged.sequence = pending.sequence;
  CommandAnswer answer;
  answer.position = staged.next - 1;
  staged.outcomes[i] = std::move(answer);
  staged.appended.push_back(i);
}

std::expected<std::vector<RecordedEvent>, Error> Ledger::Impl::check_replicated(StagedGroup& staged,
                                                                                 const replicated_group::Group& group,
                                                                                 const GroupDecider* decider) {
  const Position follows = staged.next - 1;
  if (group.follows.position != follows) {
    return std::unexpected(Error{ErrorCode::version_conflict, "the group follows position " +
                                                                  std::to_string(group.follows.position) +
                                                                  ", this log is at " + std::to_string(follows)});
  }
  if (group.follows.hash != staged.previous) return broken(follows, "it follows another chain (hash of its predecessor)");
  const Micros floor = staged.from_log ? staged.now : last_recorded_at_;
  if (group.recorded_at < floor) return broken(follows + 1, "recorded_at goes backwards");
  std::unordered_map<std::string, StreamVersion> versions = staged.versions;
  std::vector<RecordedEvent> events;
  events.reserve(group.events.size());
  Hash previous = staged.previous;
  Position position = follows;
  for (const auto stored : group.events) {
    auto event = RecordedEvent::from_stored(++position, std::string(stored));
    if (!event) return broken(position, event.error().message);
    if (event->prev_hash() != previous) return broken(position, "prev_hash does not chain");
    if (chain_hash(previous, event->envelope_bytes()) != event->hash()) return broken(position, "its hash is not its chain's");
    if (event->recorded_at() != group.recorded_at) return broken(position, "recorded_at is not its group's");
    const std::string stream(event->stream());
    auto it = versions.find(stream);
    if (it == versions.end()) {
      auto known = staged_version(stream, staged.versions, decider);
      if (!known) return std::unexpected(known.error());
      it = versions.emplace(stream, *known).first;
    }
    if (event->stream_version() != it->second + 1) return broken(position, "stream version out of order in " + stream);
    it->second = event->stream_version();
    previous = event->hash();
    events.push_back(std::move(*event));
  }
  if (!events.back().ends_command()) return broken(position, "the group ends inside a command");
  // The answers are not in the chain: each must name the last event of its own command in this
  // group, so a repeat of the command id can only be answered with what the log holds.
  for (const auto& [id, bytes] : group.answers) {
    const auto answer = answer_codec::decode(bytes);
    if (id.empty() || !answer || answer->position <= follows || answer->position > position) {
      return broken(follows + 1, "a malformed answer");
    }
    const auto& last = events[answer->position - follows - 1];
    if (last.command_id() != id || !last.ends_command() || answer->events.size() != last.command_event_count()) {
      return broken(answer->position, "an answer that is not its command's");
    }
  }
  return events;
}

}  // namespace orgledger::ledger
