// Codec round trip: every event type of events.fbs, every field, through a real store.
#include <catch2/catch.hpp>

#include "manual_clock.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/ledger.h"
#include "sample_events.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

TEST_CASE("codec: every event type round-trips with every field through the store") {
  const auto samples = one_of_each_event();
  // One sample per union member: a new event type without a sample fails here.
  REQUIRE(samples.size() == static_cast<std::size_t>(schema::Event::MAX));

  TempDir dir;
  ManualClock clock(kSampleInstant);
  auto log = ledger::Ledger::open(dir.path(), {.clock = &clock}).value();
  for (std::size_t i = 0; i < samples.size(); ++i) {
    auto cmd = golden_command(i, samples[i]);
    REQUIRE(log->append(std::move(cmd)));
  }
  auto events = log->read(1, samples.size() + 1).value();
  REQUIRE(events.size() == samples.size());
  for (std::size_t i = 0; i < samples.size(); ++i) {
    INFO("sample " << i << " " << schema::EnumNameEvent(samples[i].payload.type));
    const auto& event = events[i];
    CHECK(event.type() == static_cast<std::uint8_t>(samples[i].payload.type));
    CHECK(event.type_name() == schema::EnumNameEvent(samples[i].payload.type));
    CHECK(event.stream() == samples[i].stream);
    CHECK(event.actor() == "svc:golden");
    CHECK(event.command_id() == "golden-" + std::to_string(i));
    CHECK(event.correlation_id() == "corr-" + std::to_string(i));
    CHECK(event.recorded_at() == kSampleInstant);
    CHECK(ledger::unpack_payload(event) == samples[i].payload);
    CHECK(ledger::chain_hash(event.prev_hash(), event.envelope_bytes()) == event.hash());
  }
}

TEST_CASE("codec: a stored value that is not an envelope is a corrupt error naming its position") {
  auto empty = ledger::RecordedEvent::from_stored(7, std::string());
  REQUIRE_FALSE(empty);
  CHECK(empty.error().code == ledger::ErrorCode::corrupt);
  CHECK(empty.error().position == 7);
  CHECK_FALSE(ledger::RecordedEvent::from_stored(7, std::string(32, '\0') + "OLEV garbage garbage"));
  CHECK(ledger::event_type_name(0).empty());
  CHECK(ledger::event_type_name(250).empty());
}

TEST_CASE("codec: an event stored under another position is refused") {
  TempDir dir;
  auto log = ledger::Ledger::open(dir.path()).value();
  const auto samples = one_of_each_event();
  REQUIRE(log->append(golden_command(0, samples[0])));
  const auto stored = log->read(1, 1).value()[0].stored();
  auto moved = ledger::RecordedEvent::from_stored(2, stored);
  REQUIRE_FALSE(moved);
  CHECK(moved.error().position == 2);
}
