// Fuzz target: a stored snapshot's chunks, as start-up and as-of questions decode them before
// trusting one (projections/snapshot.h). A decoded state is encoded again and must decode to the
// same encoding: a snapshot that loads is one that could have been written.
#include <cstring>
#include <string>
#include <vector>

#include "orgledger/projections/snapshot.h"
#include "targets.h"

namespace orgledger::fuzz {

void snapshot(std::span<const std::uint8_t> input) {
  std::vector<std::string> chunks;
  std::size_t at = 0;
  while (input.size() - at >= 4) {
    std::uint32_t length = 0;
    std::memcpy(&length, input.data() + at, 4);
    at += 4;
    length = static_cast<std::uint32_t>(std::min<std::size_t>(length, input.size() - at));
    chunks.emplace_back(reinterpret_cast<const char*>(input.data() + at), length);
    at += length;
  }
  ledger::Hash hash{};
  auto state = projections::decode_snapshot(chunks, hash);
  if (!state) return;
  const auto encoded = projections::encode_snapshot(*state, hash, 64);
  ledger::Hash again_hash{};
  auto again = projections::decode_snapshot(encoded, again_hash);
  if (!again || again_hash != hash || projections::encode_snapshot(*again, again_hash, 64) != encoded) __builtin_trap();
}

}  // namespace orgledger::fuzz
