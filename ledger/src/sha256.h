// SHA-256 over the concatenation of `parts`, with one OpenSSL context per thread fetched once:
// the chain (hash.h) and the Merkle tree (merkle.h) hash on the writer's path, where a fresh
// context and an implicit algorithm fetch per call would cost more than the hashing itself.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <span>

#include "orgledger/ledger/types.h"

namespace orgledger::ledger {

Hash sha256(std::initializer_list<std::span<const std::uint8_t>> parts);

}  // namespace orgledger::ledger
