#include "chain_checker.h"

#include <cstring>

#include "envelope.h"
#include "orgledger/ledger/hash.h"
#include "store_layout.h"

namespace orgledger::ledger {

std::optional<ChainProblem> ChainChecker::check(std::string_view key, std::string_view value) {
  aligned_.assign(value);
  const std::string_view stored = aligned_;
  const auto position = layout::parse_position_key(key);
  if (!position) return ChainProblem{expected_, "malformed event key"};
  // A key past the expected one means the expected event is gone: that is where the log breaks.
  if (*position != expected_) return ChainProblem{expected_, "event missing"};
  if (auto problem = envelope::check_stored(expected_, stored)) return ChainProblem{expected_, *problem};

  Hash stored_hash{};
  std::memcpy(stored_hash.data(), stored.data(), stored_hash.size());
  const auto envelope_bytes = stored.substr(layout::kHashSize);
  if (envelope::prev_hash(envelope_bytes) != previous_) {
    return ChainProblem{expected_, "prev_hash does not match the previous event"};
  }
  const auto* data = reinterpret_cast<const std::uint8_t*>(envelope_bytes.data());
  if (chain_hash(previous_, {data, envelope_bytes.size()}) != stored_hash) {
    return ChainProblem{expected_, "stored hash does not match the envelope"};
  }
  previous_ = stored_hash;
  ++expected_;
  return std::nullopt;
}

std::optional<ChainProblem> ChainChecker::finish(const Head& recorded) const {
  if (expected_ <= recorded.position) return ChainProblem{expected_, "event missing"};
  if (expected_ - 1 > recorded.position) {
    return ChainProblem{recorded.position + 1, "event beyond the recorded head"};
  }
  if (recorded.position > 0 && previous_ != recorded.hash) {
    return ChainProblem{recorded.position, "recorded head hash does not match the last event"};
  }
  return std::nullopt;
}

}  // namespace orgledger::ledger
