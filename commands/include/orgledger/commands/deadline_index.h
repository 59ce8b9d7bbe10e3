// What the scheduler must put on record, and when: support grants' expiries (S6), abuse stages'
// breaches (A5), first renewal payment attempts (B2), identity documents' purge (K4) and blocked
// orders' cancellation (K5). Indexed per entity by its next deadline, and brought up to date from
// the differences between two versions of the state, so that a run costs what changed and what is
// due, not a scan of every organization, report, case and order (issue 15).
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <tuple>
#include <vector>

#include "orgledger/commands/command.h"
#include "orgledger/projections/business_calendar.h"
#include "orgledger/projections/state.h"

namespace orgledger::commands {

class DeadlineIndex {
 public:
  // `calendar` counts the abuse dues (A7); it must outlive the index.
  explicit DeadlineIndex(const projections::BusinessCalendar& calendar) : calendar_(calendar) {}

  // Brings the index to `state`, a version at or after the last one given: every entity the first
  // time, afterwards only those that differ.
  void update(std::shared_ptr<const projections::State> state, ledger::Micros now);
  // The commands due at `now` in the last state given and not on record there, as svc:scheduler
  // with ids derived from the item (a repeat is a duplicate).
  std::vector<Command> due(ledger::Micros now);
  // The earliest instant after `now` at which something becomes due, if any.
  std::optional<ledger::Micros> next_after(ledger::Micros now) const;
  // Entities with an instant to come, plus those with items due (for the tests).
  std::size_t size() const { return deadlines_.size() + pending_.size(); }

 private:
  enum class Kind : std::uint8_t { organization, report, identity_case, order };
  using Key = std::pair<Kind, std::string>;
  // Finds the entity in state_, files it under its next deadline (or drops it when it has none).
  void reindex(Kind kind, std::string_view id, ledger::Micros now);

  const projections::BusinessCalendar& calendar_;
  std::shared_ptr<const projections::State> state_;
  std::map<Key, ledger::Micros> deadlines_;  // each entity's first instant still to come
  std::set<Key> pending_;                     // entities with items due, not yet on record
  std::set<std::tuple<ledger::Micros, Kind, std::string>> by_time_;
};

// The same commands found by scanning the whole state: the reference the index is tested against.
std::vector<Command> due_by_scan(const projections::State& state, const projections::BusinessCalendar& calendar,
                                 ledger::Micros now);

}  // namespace orgledger::commands
