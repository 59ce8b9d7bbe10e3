// One event of every type of events.fbs, every field set: the codec round trip and the golden file
// (tests/fixtures/golden_events.bin) are made of these. Never change an existing sample: the
// golden file was written from them. Append new ones for new event types.
#pragma once

#include <string>
#include <vector>

#include "orgledger/ledger/event_codec.h"

namespace orgledger::testing {

struct SampleEvent {
  std::string stream;
  schema::EventUnion payload;
};

std::vector<SampleEvent> one_of_each_event();

// The commands that wrote the golden file: sample i is command "golden-<i>" by actor "svc:golden".
ledger::CommandAppend golden_command(std::size_t index, const SampleEvent& sample);

}  // namespace orgledger::testing
