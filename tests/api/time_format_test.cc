#include <catch2/catch.hpp>

#include "manual_clock.h"
#include "orgledger/api/time_format.h"

using orgledger::api::format_instant;
using orgledger::api::parse_instant;
using orgledger::testing::kSampleInstant;

TEST_CASE("instants print as RFC 3339 UTC with exactly six fractional digits") {
  CHECK(format_instant(kSampleInstant) == "2026-11-22T09:14:03.250117Z");
  CHECK(format_instant(0) == "1970-01-01T00:00:00.000000Z");
  CHECK(format_instant(kSampleInstant - 250117) == "2026-11-22T09:14:03.000000Z");
}

TEST_CASE("instants are accepted with any precision down to the microsecond") {
  CHECK(parse_instant("2026-11-22T09:14:03.250117Z") == kSampleInstant);
  CHECK(parse_instant("2026-11-22T09:14:03Z") == kSampleInstant - 250117);
  CHECK(parse_instant("2026-11-22T09:14:03.25Z") == kSampleInstant - 117);
  CHECK(parse_instant("2026-11-22T10:14:03.250117+01:00") == kSampleInstant);
  CHECK(parse_instant("2026-11-22t09:14:03.250117z") == kSampleInstant);
  CHECK(parse_instant("2024-02-29T00:00:00Z").has_value());
}

TEST_CASE("anything else is refused") {
  for (const char* bad : {"", "2026-11-22", "2026-11-22T09:14:03", "2026-11-22T09:14:03.2501171Z",
                          "2026-11-22T09:14:03.Z", "2026-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
                          "2026-11-22T24:00:00Z", "2026-11-22T09:14:03Zjunk", "2026-11-22 09:14:03Z",
                          "2026-11-22T09:14:03+0100", "12345"}) {
    INFO(bad);
    CHECK_FALSE(parse_instant(bad).has_value());
  }
}
