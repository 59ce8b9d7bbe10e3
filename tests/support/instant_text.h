// Instants written as API.md writes them, for tests that read better with dates than micros.
#pragma once

#include <catch2/catch.hpp>

#include "orgledger/api/time_format.h"

namespace orgledger::testing {

// The instant `rfc3339` names ("2026-11-20T16:00:00Z"); a test whose text does not parse fails.
inline ledger::Micros at(const char* rfc3339) {
  const auto instant = api::parse_instant(rfc3339);
  REQUIRE(instant.has_value());
  return *instant;
}

}  // namespace orgledger::testing
