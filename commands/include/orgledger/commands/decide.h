// decide(state, command, now): the rules of DOMAIN.md U–D. Pure: no clock (now is an argument),
// no I/O. Returns the events to append, or the rejection (code + rule) — in DOMAIN.md's order:
// invalid_argument → not_found (organization) → forbidden → not_found (the rest) →
// version_conflict → the state rules.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "orgledger/commands/command.h"
#include "orgledger/commands/rejection.h"
#include "orgledger/ledger/event_codec.h"
#include "orgledger/projections/business_calendar.h"
#include "orgledger/projections/state_view.h"

namespace orgledger::commands {

struct NewEvent {
  std::string stream;
  schema::EventUnion payload;
};
using Events = std::vector<NewEvent>;

// Shapes, ids (1–128 of [A-Za-z0-9._:@-]), values; A1's received_at bound (now + 5 min).
[[nodiscard]] std::optional<Rejection> validate(const Command& command, ledger::Micros now);

// DOMAIN.md, Identifiers: 1–128 characters of [A-Za-z0-9._:@-].
bool valid_id(std::string_view id);

// validate(), then the rules. `calendar` counts the abuse deadlines' business days (A7).
[[nodiscard]] std::expected<Events, Rejection> decide(
    const projections::StateView& state, const Command& command, ledger::Micros now,
    const projections::BusinessCalendar& calendar = projections::BusinessCalendar::geneva());

}  // namespace orgledger::commands
