// The time rules of identity checks (K1–K4) and blocked orders (K5): what a case or an order is at
// an instant, whether or not the scheduler has put the deadline on record yet (as S2).
#pragma once

#include <optional>

#include "orgledger/projections/state.h"

namespace orgledger::projections {

// K1: a `submitted` case is `expired` from submitted_at + 72 h on.
CaseState identity_state(const IdentityCase& c, Micros at);
// K1: submitted_at + 72 h while the documents are kept or were purged for expiry; null before
// submission and once completion purged them.
std::optional<Micros> purge_at(const IdentityCase& c);
// K2/K4: the documents may still be read at `at`: submitted, not purged, not forgotten, and
// `at` before purge_at.
bool documents_readable(const IdentityCase& c, Micros at);

// K5: blocked → unblocked, or cancelled from blocked_at + 240 h on.
OrderState order_state(const Order& o, Micros at);
// K5: blocked_at + 240 h; null once unblocked.
std::optional<Micros> cancel_at(const Order& o);

const char* to_string(CaseState state);
const char* to_string(OrderState state);

}  // namespace orgledger::projections
