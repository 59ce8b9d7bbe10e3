// Access history (API.md, issue 5): every interval in which each user could access a product of
// an organization, and why — role, team, direct grant or support grant — from the organization's
// own history. Open intervals have no end.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "orgledger/ledger/ledger.h"
#include "orgledger/projections/access.h"
#include "orgledger/projections/as_of.h"

namespace orgledger::replay {

struct AccessInterval {
  std::string user;
  projections::Reason via;  // its since_position is the interval's start
  ledger::Position from_position = 0;
  ledger::Micros from = 0;
  // The event that ended it; none when it is open, or when time ended it (S2: a support grant
  // expires at its instant, whether or not the scheduler has recorded it yet).
  std::optional<ledger::Position> to_position;
  std::optional<ledger::Micros> to;
};

struct AccessHistory {
  ledger::Position as_of_position = 0;    // the history is told up to here
  std::vector<AccessInterval> intervals;  // by start, then user
};

// The intervals up to `to` (absent: now) that are still open at or after `from` (absent: the
// beginning). Errors: the ledger's.
std::expected<AccessHistory, ledger::Error> access_history(const ledger::Ledger& ledger, const std::string& org,
                                                           const std::string& product,
                                                           const std::optional<projections::AsOf>& from,
                                                           const std::optional<projections::AsOf>& to,
                                                           ledger::Micros now);

}  // namespace orgledger::replay
