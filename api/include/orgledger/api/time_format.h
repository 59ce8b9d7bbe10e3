// Instants as API.md prints and accepts them: RFC 3339, UTC.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "orgledger/ledger/types.h"
#include "orgledger/projections/as_of.h"

namespace orgledger::api {

// "2026-11-22T09:14:03.250117Z": UTC with exactly six fractional digits.
std::string format_instant(ledger::Micros instant);

// RFC 3339 with any precision down to the microsecond ("…T09:14:03Z", "…T09:14:03.25+01:00");
// nullopt for anything else, including finer precision than a microsecond and invalid dates.
std::optional<ledger::Micros> parse_instant(std::string_view text);

// API.md's X: a position (a non-negative integer) or an RFC 3339 instant.
std::optional<projections::AsOf> parse_as_of(std::string_view text);

}  // namespace orgledger::api
