// The command processor: validates each command, has the ledger's single writer decide it against
// the durable state plus the commands before it in the same group commit, appends its events (or
// its CommandRejected entry, D2) atomically, and folds them into the readers' state once durable.
#pragma once

#include <atomic>
#include <condition_variable>
#include <deque>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "orgledger/commands/command.h"
#include "orgledger/commands/command_ids.h"
#include "orgledger/commands/rejection.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/projections/business_calendar.h"
#include "orgledger/projections/state.h"

namespace orgledger::vault {
class Vault;
}

namespace orgledger::commands {

class SerialWorker;
struct InFlight;  // processor.cc: one command's trip through the writer

// Why a command did not go through.
struct Failure {
  std::optional<Rejection> rejection;   // refused by validation or a rule (API.md code)
  std::optional<ledger::Error> ledger;  // the ledger could not take it (I/O, fail-stop, closing)
  ledger::Position position = 0;        // its CommandRejected entry (D2), 0 when none was written
  bool duplicate = false;               // a repeat of a command id that was refused before
};

using Outcome = std::expected<ledger::CommandAnswer, Failure>;

class CommandProcessor final : private ledger::GroupDecider {
 public:
  // Rebuilds the state from every event of `ledger`, then takes over its writer's decisions.
  // `ledger` and `clock` must outlive the processor; one processor per ledger. Destroying the
  // processor waits for the commands in flight to be answered.
  // `calendar` counts the abuse deadlines (A7); it must outlive the processor too.
  // It starts from the newest valid snapshot (projections/snapshot.h) and folds only the events
  // after it; each snapshot passed over is told to `note`, and the position the fold has reached
  // to `progress` now and then (for a progress line).
  // Personal data is sealed through `vault` (G1), which must outlive the processor; null: the
  // processor opens its own over <ledger directory>/vault with the default master key. Keys whose
  // destruction is on record but not done (a crash between the event and the destruction, G2) are
  // destroyed before it returns.
  static std::expected<std::unique_ptr<CommandProcessor>, ledger::Error> start(
      ledger::Ledger& ledger, const ledger::Clock& clock,
      const projections::BusinessCalendar& calendar = projections::BusinessCalendar::geneva(),
      const std::function<void(const std::string&)>& note = {},
      const std::function<void(ledger::Position)>& progress = {}, vault::Vault* vault = nullptr);
  ~CommandProcessor() override;

  // Thread-safe. `done` runs once the outcome is durable (or refused before anything was written).
  void submit(Command command, std::function<void(Outcome)> done);
  Outcome submit(Command command);
  // As submit, but the command is refused with `refusal` whatever the rules would say, and the
  // refusal recorded as its CommandRejected entry (D2: a well-formed command whose token may not
  // write). Malformed input is still invalid_argument with no entry.
  void submit_refused(Command command, Rejection refusal, std::function<void(Outcome)> done);

  // A command id no command has had (API.md: the server makes one when the client gave none, and
  // every answer carries it). Thread-safe.
  std::string new_command_id();

  // G2 on a replica of a cluster (issue 18), whose groups come from the log rather than from this
  // processor: destroys the keys that the published state says were destroyed and that the vault
  // still has. Cheap when nothing new was forgotten since the last call. Thread-safe. Returns the
  // position through which every destruction on record is done here (the state's). Errors: the
  // vault's, as io_error (then every command is refused as stopped, as after a failed destruction).
  std::expected<ledger::Position, ledger::Error> shred_what_the_log_forgot();

  // Cluster (issue 18): G2 on every node. Once a command's keys are destroyed here, `forget` is
  // given their ids, and the command is answered only when it succeeds (else unavailable; a repeat
  // of the command calls it again). Call before the first command.
  // `through`: the command's last position, which every node must have shredded through.
  using ForgetShared =
      std::function<std::expected<void, std::string>(std::span<const std::string> key_ids, ledger::Position through)>;
  void forget_shared_with(ForgetShared forget);

  // The vault that seals this processor's personal data (G1).
  vault::Vault& vault() const { return *vault_; }

  // Runs `query` on the newest published version of the durable state: one consistent position,
  // held by the query alone. No lock is held: the writer goes on committing while it runs.
  template <typename Query>
  auto read(Query&& query) const {
    const std::shared_ptr<const projections::State> state = version();
    return std::forward<Query>(query)(*state);
  }
  // The newest published version of the durable state (at a group's end, so whole commands
  // only). Holding it costs the writer nothing but the memory of what changes meanwhile.
  std::shared_ptr<const projections::State> version() const { return published_.load(std::memory_order_acquire); }
  // The newest version at or before `position` among the current one and those kept of the
  // recent past (one every `every` positions, the last `count` of them: keep_versions); null when
  // `position` is older. A start for as-of questions (projections::fold_as_of_from).
  std::shared_ptr<const projections::State> version_at_or_before(ledger::Position position) const;
  // How many past versions to keep (none by default), and how far apart. Kept versions pin what
  // changed after them — a whole organization per organization changed — and freeing the oldest
  // is a burst of work: 64 × 4096 cost ~0.5 GiB per 120 k commands of read_load_bench's 20 000
  // organizations, and raised the commands' p99 from 3 to ~10 ms there (bench/RESULTS.md).
  void keep_versions(ledger::Position every, std::size_t count);

 private:
  CommandProcessor(ledger::Ledger& ledger, const ledger::Clock& clock, const projections::BusinessCalendar& calendar);

  // GroupDecider: on the ledger's staging thread, but durable() on its syncing thread.
  void begin_group(ledger::Position after) override;
  void staged(std::span<const ledger::RecordedEvent> events) override;
  void sealed() override;
  void failed() override;
  std::optional<ledger::StreamVersion> durable_version(std::string_view stream) const override;
  void durable(const std::vector<ledger::RecordedEvent>& events) override;

  void enqueue(Command command, std::optional<Rejection> refusal, std::function<void(Outcome)> done);
  // G2: destroys the keys that the events of `answer` put on record as destroyed (SubjectForgotten,
  // IdentityDocumentsPurged), before the command is answered. Errors: the vault's, as io_error.
  // Returns the ids of every key they destroyed (those destroyed already included).
  std::expected<std::vector<std::string>, ledger::Error> shred_recorded(const ledger::CommandAnswer& answer);
  // Hands `key_ids` to forget_shared_ (when set). Errors: io_error, saying what to do.
  std::expected<void, ledger::Error> forget_shared(std::span<const std::string> key_ids, ledger::Position through) const;
  // Answers a command: at once, or (when its events destroy keys) once they are destroyed, on the
  // shredder's thread. Keys the command sealed with and that nothing kept are deleted first (G1).
  void answer(const std::shared_ptr<InFlight>& flight, Outcome outcome);
  // G2: finishes every destruction on record that the vault has not done (a crash came between).
  std::expected<void, ledger::Error> finish_shredding();

  ledger::Ledger& ledger_;
  ForgetShared forget_shared_;
  std::unique_ptr<vault::Vault> owned_vault_;
  vault::Vault* vault_ = nullptr;
  const ledger::Clock& clock_;
  const projections::BusinessCalendar& calendar_;
  // The state as of the last durable group, published for readers (release on store, acquire on
  // load). Versions share whatever did not change between them (projections/persistent_map.h).
  std::atomic<std::shared_ptr<const projections::State>> published_;
  // Staging thread only: `working_`, what decide() reads — the state after every sealed group plus
  // this group's staged commands — and `base_`, the version it started the group from (the last
  // sealed group's end). A failed group goes back to `base_`.
  projections::State working_;
  std::shared_ptr<const projections::State> base_;
  // Sealed groups' versions, oldest first, each published when the ledger says its group is durable;
  // and the versions they replaced, left for the staging thread to release (release_retired).
  std::mutex sealed_mutex_;
  std::deque<std::shared_ptr<const projections::State>> sealed_;
  std::vector<std::shared_ptr<const projections::State>> retired_;
  void release_retired();
  // Publishes `version` for readers, and keeps it when it is retain_every_ past the last kept.
  // Returns the version it replaced.
  std::shared_ptr<const projections::State> publish(std::shared_ptr<const projections::State> version);
  mutable std::mutex retained_mutex_;
  std::deque<std::shared_ptr<const projections::State>> retained_;  // by position, under retained_mutex_
  ledger::Position retain_every_ = 4096;                            // under retained_mutex_
  std::atomic<std::size_t> retain_count_{0};                        // written under retained_mutex_
  // Frees the versions that stop being kept, off the writer's thread: the oldest of them pins a
  // copy of every entity changed in 4096 positions, and freeing it stalled commits for ~15 ms.
  std::unique_ptr<SerialWorker> reclaimer_;
  // Folds in the events appended while no processor decided (a plain append between start's fold
  // and set_decider), up to `after`, and publishes them: the rules, and the versions below, must
  // see them. The pipeline is empty then (set_decider drains it), so they are all durable.
  void catch_up(ledger::Position after);
  // Whether `base_` has folded every event the group follows (staging thread only): only then may
  // durable_version answer for streams it has never seen.
  bool knows_every_stream_ = false;
  // False for good once the state was found to have missed events: from then on every command is
  // refused as `stopped` (fail-stop) rather than decided on a state that is not the log's.
  std::atomic<bool> in_step_{true};
  std::mutex in_flight_mutex_;
  std::condition_variable all_answered_;
  std::size_t in_flight_ = 0;
  std::optional<CommandIds> ids_;  // made at start
  // G2: set for good when the key store failed to destroy a key on record: from then on every
  // command is refused as `stopped` (fail-stop) until a restart finishes the destruction.
  std::atomic<bool> shredding_failed_{false};
  std::mutex forgotten_mutex_;
  // Under forgotten_mutex_: the state whose destructions are all done (null: none yet); the next
  // call looks only at what changed in `shredded` since (a subject can gain keys: K4 after G2).
  std::shared_ptr<const projections::State> forgotten_done_;
  // Runs the destructions of keys (slow I/O) and their commands' answers, off the ledger's threads.
  // Last member: destroyed first, once every answer is given.
  std::unique_ptr<SerialWorker> shredder_;
};

}  // namespace orgledger::commands
