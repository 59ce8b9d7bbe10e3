#include "orgledger/commands/processor.h"

#include <algorithm>
#include <cstdio>
#include <future>

#include <sys/resource.h>
#include <unistd.h>

#include "orgledger/commands/decide.h"
#include "orgledger/commands/personal_data.h"
#include "orgledger/commands/stream_names.h"
#include "orgledger/ledger/event_codec.h"
#include "orgledger/projections/event_stream.h"
#include "orgledger/projections/evolve.h"
#include "orgledger/projections/snapshot.h"
#include "orgledger/projections/state_view.h"
#include "orgledger/vault/vault.h"
#include "serial_worker.h"

namespace orgledger::commands {
namespace {

constexpr const char* kShreddingFailed =
    "the key store failed to destroy a key whose destruction is on record (G2): no command is taken until a restart "
    "finishes it";
constexpr const char* kOutOfStep =
    "the command processor's state may have missed events: it decides nothing more until a restart rebuilds it";

// The envelope fields every event of `command` carries (D1, D4).
ledger::CommandAppend append_for(const Command& command) {
  ledger::CommandAppend append;
  append.command_id = command.command_id;
  append.actor = command.actor;
  append.correlation_id = command.correlation_id;
  append.via = command.via;
  return append;
}

// A refusal as the audit entry D2 asks for: in rejected:<S>, so S's version never moves.
ledger::CommandAppend rejected_entry(const Command& command, const Rejection& rejection) {
  ledger::CommandAppend append = append_for(command);
  ledger::add_event(append, rejected_stream_of(command.body),
                    schema::CommandRejectedT{.actor = command.actor, .command_type = command_type(command.body),
                                             .code = to_string(rejection.code), .rule = rejection.rule,
                                             .detail = rejection.detail});
  return append;
}

ledger::Error vault_failure(const std::string& what, const vault::Error& error) {
  return ledger::Error{ledger::ErrorCode::io_error, what + ": " + error.message};
}

// G2: whether the vault has already done what the log says was destroyed.
bool shredded(const vault::Vault& vault, const std::string& subject, const std::vector<std::string>& keys) {
  return vault.forgotten(subject) && std::none_of(keys.begin(), keys.end(), [&](const std::string& key) { return vault.has_key(key); });
}

std::vector<std::string> texts(const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* values) {
  std::vector<std::string> out;
  if (values != nullptr) {
    for (const auto* value : *values) out.push_back(value->str());
  }
  return out;
}

std::optional<Code> code_named(std::string_view name) {
  for (int i = 0; i <= static_cast<int>(Code::unsupported_payment_method); ++i) {
    if (name == to_string(static_cast<Code>(i))) return static_cast<Code>(i);
  }
  return std::nullopt;
}

}  // namespace

// Everything one command's trip through the writer needs to remember for its answer.
struct InFlight {
  Command command;
  std::optional<Rejection> rejection;
  std::function<void(Outcome)> done;
  std::optional<Rejection> refusal;  // imposed by the caller (submit_refused)
};


namespace {

// The outcome of a command from the ledger's answer and what the writer decided.
Outcome outcome_of(const ledger::Ledger& ledger, const InFlight& flight, std::expected<ledger::CommandAnswer, ledger::Error> appended) {
  if (!appended) {
    // Refused before any entry was built (invalid at the writer's instant): the refusal. A
    // refusal whose entry could not be made durable is the ledger's failure (outcome unknown).
    if (flight.rejection && appended.error().code == ledger::ErrorCode::invalid_argument) {
      return std::unexpected(Failure{.rejection = flight.rejection});
    }
    return std::unexpected(Failure{.ledger = appended.error()});
  }
  if (flight.rejection) return std::unexpected(Failure{.rejection = flight.rejection, .position = appended->position});
  if (appended->duplicate) {
    // The first answer: if that was a refusal, the same refusal again.
    auto first = ledger.read(appended->position, 1);
    if (first && !first->empty() && first->front().type_name() == "CommandRejected") {
      const auto* entry = first->front().envelope().payload_as_CommandRejected();
      Rejection rejection{code_named(entry->code() ? entry->code()->string_view() : "").value_or(Code::invalid_state),
                          entry->rule() ? entry->rule()->str() : "", entry->detail() ? entry->detail()->str() : ""};
      return std::unexpected(Failure{.rejection = rejection, .position = appended->position, .duplicate = true});
    }
  }
  return std::move(*appended);
}

}  // namespace

std::expected<std::unique_ptr<CommandProcessor>, ledger::Error> CommandProcessor::start(
    ledger::Ledger& ledger, const ledger::Clock& clock, const projections::BusinessCalendar& calendar,
    const std::function<void(const std::string&)>& note, const std::function<void(ledger::Position)>& progress,
    vault::Vault* vault) {
  std::unique_ptr<CommandProcessor> processor(new CommandProcessor(ledger, clock, calendar));
  if (vault == nullptr) {
    auto opened = vault::Vault::open({.directory = ledger.directory() + "/vault", .env = &ledger.env()});
    if (!opened) return std::unexpected(vault_failure("the vault could not be opened", opened.error()));
    processor->owned_vault_ = std::move(*opened);
    vault = processor->owned_vault_.get();
  }
  processor->vault_ = vault;
  processor->ids_.emplace(clock.now(), ledger.env().random());
  // The newest valid snapshot, then the events after it.
  const auto head = ledger.head().position;
  auto& state = processor->working_;
  if (auto snapshot = projections::load_snapshot(ledger, head, note)) state = std::move(*snapshot);
  auto rebuilt = projections::for_each_event(ledger, state.position + 1, head, [&](const ledger::RecordedEvent& event) {
    projections::evolve(state, event);
    if (progress && event.position() % 65536 == 0) progress(event.position());
    return true;
  });
  if (!rebuilt) return std::unexpected(rebuilt.error());
  processor->base_ = std::make_shared<const projections::State>(state);
  processor->publish(processor->base_);
  if (auto shredded = processor->finish_shredding(); !shredded) return std::unexpected(shredded.error());
  ledger.set_decider(processor.get());
  return processor;
}

CommandProcessor::CommandProcessor(ledger::Ledger& ledger, const ledger::Clock& clock,
                                   const projections::BusinessCalendar& calendar)
    : ledger_(ledger),
      clock_(clock),
      calendar_(calendar),
      reclaimer_(std::make_unique<SerialWorker>()),
      shredder_(std::make_unique<SerialWorker>()) {}

CommandProcessor::~CommandProcessor() {
  std::unique_lock lock(in_flight_mutex_);
  all_answered_.wait(lock, [this] { return in_flight_ == 0; });
  lock.unlock();
  ledger_.set_decider(nullptr);  // waits for the writer to finish the group it is in
}

std::string CommandProcessor::new_command_id() { return ids_->next(); }

void CommandProcessor::submit(Command command, std::function<void(Outcome)> done) {
  enqueue(std::move(command), std::nullopt, std::move(done));
}

void CommandProcessor::submit_refused(Command command, Rejection refusal, std::function<void(Outcome)> done) {
  enqueue(std::move(command), std::move(refusal), std::move(done));
}

void CommandProcessor::enqueue(Command command, std::optional<Rejection> refusal, std::function<void(Outcome)> done) {
  if (command.command_id.empty()) command.command_id = new_command_id();
  // Validation first: malformed input leaves no entry (D2).
  if (auto invalid = validate(command, clock_.now())) {
    done(std::unexpected(Failure{.rejection = *invalid}));
    return;
  }
  // G1: sealed here, on the submitter's thread, so the writer's commit path never encrypts. A
  // command refused before any rule (D2) keeps nothing of its data: it is not sealed at all.
  if (auto sealed = refusal ? std::expected<void, vault::Error>() : seal_personal_data(command, *vault_); !sealed) {
    done(std::unexpected(Failure{.ledger = vault_failure("personal data could not be sealed", sealed.error())}));
    return;
  }
  {
    std::lock_guard lock(in_flight_mutex_);
    ++in_flight_;
  }
  // Every answer passes here, so the destructor knows when nothing refers to it any more.
  auto reply = [this, done = std::move(done)](Outcome outcome) {
    done(std::move(outcome));
    std::lock_guard lock(in_flight_mutex_);
    if (--in_flight_ == 0) all_answered_.notify_all();
  };
  auto flight = std::make_shared<InFlight>(InFlight{std::move(command), std::nullopt, std::move(reply)});
  flight->refusal = std::move(refusal);
  const std::string id = flight->command.command_id;
  ledger_.append_decided_async(
      id,
      [this, flight](ledger::Micros now) -> std::expected<ledger::CommandAppend, ledger::Error> {
        const Command& command = flight->command;
        // Fail-stop: a state that may have missed events must not decide anything, nor a processor
        // whose key store failed to destroy a key on record (G2).
        if (!in_step_) return std::unexpected(ledger::Error{ledger::ErrorCode::stopped, kOutOfStep});
        if (shredding_failed_) return std::unexpected(ledger::Error{ledger::ErrorCode::stopped, kShreddingFailed});
        if (flight->refusal) {  // D2: refused before any rule was asked (the token may not write)
          flight->rejection = flight->refusal;
          return rejected_entry(command, *flight->refusal);
        }
        auto decided = decide(working_, command, now, calendar_);
        if (!decided) {
          if (decided.error().code == Code::invalid_argument) {
            // Valid when submitted, but not at the writer's instant (A1's bound moved): no entry.
            flight->rejection = decided.error();
            return std::unexpected(ledger::Error{ledger::ErrorCode::invalid_argument, decided.error().detail});
          }
          flight->rejection = decided.error();
          return rejected_entry(command, decided.error());
        }
        ledger::CommandAppend append = append_for(command);
        for (const auto& event : *decided) ledger::add_event(append, event.stream, event.payload);
        return append;
      },
      [this, flight](std::expected<ledger::CommandAnswer, ledger::Error> appended) {
        this->answer(flight, outcome_of(ledger_, *flight, std::move(appended)));
      });
}

void CommandProcessor::answer(const std::shared_ptr<InFlight>& flight, Outcome outcome) {
  // G1: keys whose sealed values nothing kept (a refusal, a repeat) are deleted; after a failure of
  // the ledger the command may be on record, so its keys stay.
  const bool kept = outcome && !outcome->duplicate;
  if (!kept && (outcome || outcome.error().rejection)) {
    if (const auto keys = sealed_key_ids(flight->command.body); !keys.empty()) (void)vault_->discard_unused(keys);
  }
  const bool shreds = outcome && std::any_of(outcome->events.begin(), outcome->events.end(), [](const ledger::EventRef& e) {
    const auto type = static_cast<schema::Event>(e.type);
    return type == schema::Event::SubjectForgotten || type == schema::Event::IdentityDocumentsPurged;
  });
  if (!shreds) return flight->done(std::move(outcome));
  // G2: the keys are destroyed before the answer (a repeat finishes what a crash left), on a
  // thread of their own: the destruction rewrites the key store's files.
  shredder_->post([this, flight, outcome = std::move(outcome)]() mutable {
    auto shredded = shred_recorded(*outcome);
    if (!shredded) {
      shredding_failed_ = true;
      return flight->done(std::unexpected(Failure{.ledger = shredded.error()}));
    }
    if (auto purged = forget_shared(*shredded, outcome->events.back().position); !purged) return flight->done(std::unexpected(Failure{.ledger = purged.error()}));
    flight->done(std::move(outcome));
  });
}

Outcome CommandProcessor::submit(Command command) {
  std::promise<Outcome> outcome;
  auto future = outcome.get_future();
  submit(std::move(command), [&outcome](Outcome result) { outcome.set_value(std::move(result)); });
  return future.get();
}

std::expected<std::vector<std::string>, ledger::Error> CommandProcessor::shred_recorded(const ledger::CommandAnswer& answer) {
  std::vector<std::string> destroyed;
  for (const auto& ref : answer.events) {
    const auto type = static_cast<schema::Event>(ref.type);
    if (type != schema::Event::SubjectForgotten && type != schema::Event::IdentityDocumentsPurged) continue;
    auto read = ledger_.read(ref.position, 1);
    if (!read) return std::unexpected(read.error());
    if (read->empty()) continue;
    const auto& envelope = read->front().envelope();
    std::string subject;
    std::vector<std::string> keys;
    if (const auto* forgotten = envelope.payload_as_SubjectForgotten()) {
      subject = forgotten->subject() ? forgotten->subject()->str() : "";
      keys = texts(forgotten->key_ids());
    } else if (const auto* purged = envelope.payload_as_IdentityDocumentsPurged()) {
      subject = identity_case_stream(purged->case_() ? purged->case_()->string_view() : "");
      keys = texts(purged->key_ids());
    }
    destroyed.insert(destroyed.end(), keys.begin(), keys.end());
    if (shredded(*vault_, subject, keys)) continue;
    if (auto done = vault_->forget(subject, keys); !done) {
      return std::unexpected(vault_failure("forgotten on record, but the key store failed (a restart finishes it)", done.error()));
    }
  }
  return destroyed;
}

void CommandProcessor::forget_shared_with(ForgetShared forget) { forget_shared_ = std::move(forget); }

std::expected<void, ledger::Error> CommandProcessor::forget_shared(std::span<const std::string> key_ids,
                                                                   ledger::Position through) const {
  if (!forget_shared_ || key_ids.empty()) return {};
  if (auto purged = forget_shared_(key_ids, through); !purged) {
    // Not a fail-stop: the keys are gone from this node, and a repeat of the command purges again.
    return std::unexpected(ledger::Error{ledger::ErrorCode::io_error,
                                         "forgotten on record and on this node, but not yet everywhere in the cluster (" +
                                             purged.error() + "): submit the command again with the same command_id"});
  }
  return {};
}

std::expected<void, ledger::Error> CommandProcessor::finish_shredding() {
  for (const auto& [subject, keys] : working_.shredded) {
    if (shredded(*vault_, subject, keys)) continue;
    if (auto forgotten = vault_->forget(subject, keys); !forgotten) {
      return std::unexpected(vault_failure("a destruction on record could not be finished", forgotten.error()));
    }
  }
  return {};
}

std::expected<ledger::Position, ledger::Error> CommandProcessor::shred_what_the_log_forgot() {
  const auto state = version();
  std::lock_guard lock(forgotten_mutex_);
  if (forgotten_done_ == state) return state->position;
  std::vector<std::string> changed;
  if (forgotten_done_) {
    state->shredded.for_each_difference(forgotten_done_->shredded, [&](std::string_view subject) { changed.emplace_back(subject); });
  } else {
    for (const auto& [subject, _] : state->shredded) changed.emplace_back(subject);
  }
  for (const auto& subject : changed) {
    const auto* keys = state->shredded.lookup(subject);
    if (keys == nullptr || shredded(*vault_, subject, *keys)) continue;
    if (auto forgotten = vault_->forget(subject, *keys); !forgotten) {
      shredding_failed_ = true;
      return std::unexpected(vault_failure("a destruction on record could not be done", forgotten.error()));
    }
  }
  forgotten_done_ = state;
  return state->position;
}

std::shared_ptr<const projections::State> CommandProcessor::publish(std::shared_ptr<const projections::State> version) {
  auto replaced = published_.exchange(version, std::memory_order_acq_rel);
  if (retain_count_.load(std::memory_order_relaxed) == 0) return replaced;  // the usual case: no lock per group
  std::shared_ptr<const projections::State> dropped;
  {
    std::lock_guard lock(retained_mutex_);
    if (retain_count_ == 0) return replaced;
    if (!retained_.empty() && version->position < retained_.back()->position + retain_every_) return replaced;
    retained_.push_back(std::move(version));
    if (retained_.size() <= retain_count_) return replaced;
    dropped = std::move(retained_.front());
    retained_.pop_front();
  }
  reclaimer_->post([dropped = std::move(dropped)]() mutable {
    // At a lower priority (nice 10, this thread only): the writer's share of the CPU comes first.
    (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
    dropped.reset();
  });
  return replaced;
}

void CommandProcessor::keep_versions(ledger::Position every, std::size_t count) {
  std::lock_guard lock(retained_mutex_);
  retain_every_ = std::max<ledger::Position>(every, 1);
  retain_count_ = count;
  while (retained_.size() > retain_count_) retained_.pop_front();
}

std::shared_ptr<const projections::State> CommandProcessor::version_at_or_before(ledger::Position position) const {
  if (auto latest = version(); latest->position <= position) return latest;
  std::lock_guard lock(retained_mutex_);
  const auto after = std::upper_bound(retained_.begin(), retained_.end(), position,
                                      [](ledger::Position p, const auto& kept) { return p < kept->position; });
  if (after == retained_.begin()) return nullptr;
  return *std::prev(after);
}

void CommandProcessor::begin_group(ledger::Position after) {
  release_retired();
  catch_up(after);
  knows_every_stream_ = in_step_ && base_->position == after;
}

void CommandProcessor::catch_up(ledger::Position after) {
  if (working_.position >= after) return;
  auto folded = projections::for_each_event(ledger_, working_.position + 1, after, [&](const ledger::RecordedEvent& event) {
    projections::evolve(working_, event);
    return true;
  });
  if (!folded || working_.position != after) in_step_ = false;
  base_ = std::make_shared<const projections::State>(working_);
  publish(base_);
}

std::optional<ledger::StreamVersion> CommandProcessor::durable_version(std::string_view stream) const {
  if (!knows_every_stream_) return std::nullopt;
  const auto* version = base_->stream_versions.lookup(stream);
  return version == nullptr ? 0 : *version;
}

// The staged events go straight into the working state: what is shared with the published version
// is copied on the way (per entity and trie path), so readers never see a command not durable.
void CommandProcessor::staged(std::span<const ledger::RecordedEvent> events) {
  for (const auto& event : events) projections::evolve(working_, event);
}

void CommandProcessor::sealed() {
  base_ = std::make_shared<const projections::State>(working_);  // O(1): the maps are shared
  std::lock_guard lock(sealed_mutex_);
  sealed_.push_back(base_);
}

void CommandProcessor::failed() { working_ = *base_; }

void CommandProcessor::release_retired() {
  std::vector<std::shared_ptr<const projections::State>> retired;
  {
    std::lock_guard lock(sealed_mutex_);
    retired.swap(retired_);
  }
  // Freed here, on the thread that allocated what they alone hold: glibc's per-thread caches
  // never see those blocks otherwise, and the stager would allocate afresh what the syncer freed.
}

void CommandProcessor::durable(const std::vector<ledger::RecordedEvent>& events) {
  std::shared_ptr<const projections::State> version;
  {
    std::lock_guard lock(sealed_mutex_);
    if (sealed_.empty()) {  // never expected: the ledger seals each group it writes
      in_step_ = false;
      return;
    }
    version = std::move(sealed_.front());
    sealed_.pop_front();
  }
  // Never expected after catch_up; should it happen, the state has missed events, and the
  // writer must not take stream versions from it any more.
  const ledger::Position published = published_.load(std::memory_order_relaxed)->position;
  if (!events.empty() && (events.front().position() != published + 1 || version->position != events.back().position())) {
    in_step_ = false;
  }
  auto replaced = publish(std::move(version));
  std::lock_guard lock(sealed_mutex_);
  retired_.push_back(std::move(replaced));  // for the staging thread to free (release_retired)
}

}  // namespace orgledger::commands
