#include "orgledger/projections/sealed_value.h"

#include "orgledger/schema/events_generated.h"

namespace orgledger::projections {

std::optional<Sealed> sealed_of(const schema::Sealed* sealed) {
  if (sealed == nullptr) return std::nullopt;
  Sealed out;
  if (sealed->key_id()) out.key_id = sealed->key_id()->str();
  if (sealed->nonce()) out.nonce.assign(sealed->nonce()->begin(), sealed->nonce()->end());
  if (sealed->ciphertext()) out.ciphertext.assign(sealed->ciphertext()->begin(), sealed->ciphertext()->end());
  return out;
}

}  // namespace orgledger::projections
