// evolve(state, event): the one pure function that folds an event into the domain state. Live
// state, replay and as-of (D3) are all this fold.
#pragma once

#include "orgledger/ledger/recorded_event.h"
#include "orgledger/projections/state.h"

namespace orgledger::projections {

// Applies one recorded event. Events were decided against the state before them, so evolve trusts
// them; an event naming something that does not exist (possible only in a log that was not written
// by the command processor) changes nothing rather than inventing state.
void evolve(State& state, const ledger::RecordedEvent& event);

// Before folding `events` events into an empty state: sizes its hash tables once instead of
// growing them step by step (a rough share of streams, users and organizations per event).
void reserve_for(State& state, std::size_t events);

}  // namespace orgledger::projections
