// The fuzz targets (issue 17): each takes any bytes and must neither crash, hang, leak nor touch
// memory it does not own, whatever the bytes are. Each is built three ways (tests/fuzz/CMakeLists):
// into fuzz_smoke (its corpus plus seeded mutations, a ctest test per target), under ASan+UBSan by
// scripts/test, and with AFL++ by bench/run_fuzz.sh for the long runs.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string_view>

namespace orgledger::fuzz {

using Target = void (*)(std::span<const std::uint8_t> input);

// 8 bytes of position (little-endian), then a value of the `events` family: the envelope's
// checks, its decoding (every field, the payload, its JSON) and the chain checker.
void envelope(std::span<const std::uint8_t> input);
// A body of POST /v1/commands: parse_command.
void command_json(std::span<const std::uint8_t> input);
// Raw bytes from a client: Beast's parser with the server's limits, then routing, the query, and
// a command body's parsing: every step of the request path before a handler runs.
void http_request(std::span<const std::uint8_t> input);
// A snapshot's chunks, each as a 4-byte little-endian length and its bytes: decode_snapshot.
void snapshot(std::span<const std::uint8_t> input);
// First byte even: a signed note (parse_checkpoint, verify_checkpoint with the corpus's key, and
// parse_verifier_key); odd: a proof answer (check_proof_json).
void checkpoint_proof(std::span<const std::uint8_t> input);

struct NamedTarget {
  std::string_view name;
  Target run;
};
inline constexpr NamedTarget kTargets[] = {
    {"envelope", envelope}, {"command_json", command_json}, {"http_request", http_request},
    {"snapshot", snapshot}, {"checkpoint_proof", checkpoint_proof},
};

// The corpus's checkpoint key: derived from a fixed seed, so that signed seeds verify.
inline constexpr std::string_view kFuzzKeyName = "orgledger-fuzz";

}  // namespace orgledger::fuzz
