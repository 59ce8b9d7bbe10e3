// G4: stores written before G1 keep the personal data their old events hold in clear (a login, a
// reporter's contact details); it cannot be shredded. `orgledger verify` lists where it is.
#pragma once

#include <expected>
#include <vector>

#include "orgledger/ledger/ledger.h"

namespace orgledger::replay {

// Whether `event` holds personal data in clear (an event written before G1).
bool holds_clear_personal_data(const ledger::RecordedEvent& event);

// The positions of every such event, ascending. Errors: the ledger's.
std::expected<std::vector<ledger::Position>, ledger::Error> clear_personal_data_positions(const ledger::Ledger& ledger);

}  // namespace orgledger::replay
