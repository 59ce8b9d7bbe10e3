// Old logs stay readable: tests/fixtures/golden_events.bin was written by the first schema.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "golden_file.h"
#include "manual_clock.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/recorded_event.h"
#include "sample_events.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

std::vector<std::string> golden_values() {
  std::ifstream in(ORGLEDGER_FIXTURES "/golden_events.bin", std::ios::binary);
  REQUIRE(in.good());
  std::stringstream bytes;
  bytes << in.rdbuf();
  auto values = parse_golden_file(bytes.str());
  REQUIRE(values.has_value());
  return *values;
}

}  // namespace

TEST_CASE("golden: every event of the golden file decodes to the fields it was written with") {
  const auto values = golden_values();
  const auto samples = one_of_each_event();
  REQUIRE(values.size() == 34);  // the first schema's event types; never fewer
  REQUIRE(values.size() <= samples.size());
  ledger::Hash previous = ledger::kZeroHash;
  for (std::size_t i = 0; i < values.size(); ++i) {
    INFO("golden event " << i + 1);
    auto event = ledger::RecordedEvent::from_stored(i + 1, values[i]);
    REQUIRE(event);
    CHECK(event->prev_hash() == previous);
    CHECK(ledger::chain_hash(previous, event->envelope_bytes()) == event->hash());
    CHECK(event->stream() == samples[i].stream);
    CHECK(event->stream_version() >= 1);
    CHECK(event->command_id() == "golden-" + std::to_string(i));
    CHECK(event->actor() == "svc:golden");
    CHECK_FALSE(event->via());  // D4: recorded before principals, shown as via: null
    CHECK(event->recorded_at() == kSampleInstant + static_cast<long long>(i) * kGoldenStepMicros);
    CHECK(event->type_name() == schema::EnumNameEvent(samples[i].payload.type));
    CHECK(ledger::unpack_payload(*event) == samples[i].payload);
    previous = event->hash();
  }
}

TEST_CASE("golden: today's encoder writes the golden events byte for byte") {
  // A difference means the encoding of old event types changed (a renumbered field, a changed
  // type): that breaks every stored log. Add fields at the end instead.
  const auto values = golden_values();
  TempDir dir;
  auto fresh = parse_golden_file(make_golden_file(dir.sub("ledger")));
  REQUIRE(fresh.has_value());
  REQUIRE(fresh->size() >= values.size());
  for (std::size_t i = 0; i < values.size(); ++i) {
    INFO("golden event " << i + 1);
    CHECK((*fresh)[i] == values[i]);
  }
}
