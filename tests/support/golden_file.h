// tests/fixtures/golden_events.bin: the stored values of the first schema's events, kept forever
// so that every later binary proves it still reads old logs.
//
//   file   := record*
//   record := length value        length: u32 little-endian, the size of value
//   value  := exactly what the `events` column family stored at position (record index + 1)
//
// Written by `write_golden_events FILE` (tests/support/write_golden_events.cc) from
// one_of_each_event(), one command each, with a manual clock at kSampleInstant + index ms.
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace orgledger::testing {

// Appends the golden commands to a new ledger in `empty_directory` and returns the file's bytes.
std::string make_golden_file(const std::string& empty_directory);

// The values of a golden file; nullopt when it is truncated.
std::optional<std::vector<std::string>> parse_golden_file(const std::string& bytes);

// Microseconds between the golden commands' recorded_at.
inline constexpr long long kGoldenStepMicros = 1000;

}  // namespace orgledger::testing
