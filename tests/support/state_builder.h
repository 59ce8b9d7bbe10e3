// Given-events for projection tests: appends events to a real ledger (with a manual clock) and
// folds each into a State with evolve, as the command processor will.
#pragma once

#include <memory>
#include <string>

#include "manual_clock.h"
#include "orgledger/ledger/event_codec.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/projections/evolve.h"
#include "temp_dir.h"

namespace orgledger::testing {

class StateBuilder {
 public:
  StateBuilder() : clock_(kSampleInstant), ledger_(ledger::Ledger::open(dir_.path(), {.clock = &clock_}).value()) {}

  // Appends one event as a one-event command by `actor` and folds it in. Returns its position.
  template <typename NativeTable>
  ledger::Position given(const std::string& stream, NativeTable table, const std::string& actor = "svc:test") {
    ledger::CommandAppend command;
    command.command_id = "given-" + std::to_string(++commands_);
    command.actor = actor;
    ledger::add_event(command, stream, std::move(table));
    const auto answer = ledger_->append(std::move(command)).value();
    const auto events = ledger_->read(answer.events.front().position, answer.events.size()).value();
    for (const auto& event : events) {
      projections::evolve(state_, event);
    }
    return answer.position;
  }

  // Appends a whole command (its events atomically) and folds it in. Returns its last position.
  // Its command_id must be set before its events are added (next_command_id()).
  ledger::Position given_command(ledger::CommandAppend command) {
    auto appended = ledger_->append(std::move(command));
    if (!appended) throw std::runtime_error("given command: " + appended.error().message);
    const auto answer = *appended;
    const auto events = ledger_->read(answer.events.front().position, answer.events.size()).value();
    for (const auto& event : events) projections::evolve(state_, event);
    return answer.position;
  }

  std::string next_command_id() { return "given-" + std::to_string(++commands_); }

  const projections::State& state() const { return state_; }
  ManualClock& clock() { return clock_; }
  ledger::Ledger& ledger() { return *ledger_; }

 private:
  TempDir dir_;
  ManualClock clock_;
  std::unique_ptr<ledger::Ledger> ledger_;
  projections::State state_;
  int commands_ = 0;
};

}  // namespace orgledger::testing
