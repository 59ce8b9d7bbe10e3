// evolve(state, event): the one pure function that folds an event into the domain state. Live
// state, replay and as-of (D3) are all this fold.
#pragma once

#include <cstdint>

#include "orgledger/ledger/recorded_event.h"
#include "orgledger/projections/state.h"

namespace orgledger::projections {

// The version of this fold. Raise it with any change that folds an event already in a log
// differently (a fix, a new projection of an old event): snapshots folded by another version are
// passed over and the state is folded again from the events (issue 15).
//   1: partners and renewals (C, B), identity checks and orders (K), sealed values (G)
inline constexpr std::uint32_t kFoldVersion = 1;

// Applies one recorded event. Events were decided against the state before them, so evolve trusts
// them; an event naming something that does not exist (possible only in a log that was not written
// by the command processor) changes nothing rather than inventing state.
void evolve(State& state, const ledger::RecordedEvent& event);

}  // namespace orgledger::projections
