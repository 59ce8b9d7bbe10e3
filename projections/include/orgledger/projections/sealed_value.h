// G1: a sealed value of an event (schema::Sealed) as the projections and the views hold it.
#pragma once

#include <optional>

#include "orgledger/projections/state.h"

namespace orgledger::schema {
struct Sealed;
}

namespace orgledger::projections {

// nullopt for an absent value (an event written before G1 holds its personal data in clear).
std::optional<Sealed> sealed_of(const schema::Sealed* sealed);

}  // namespace orgledger::projections
