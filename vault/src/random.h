// Drawing from the Random seam (vault.h): a seam that fails is an io_error, never a weak key.
#pragma once

#include <cstdint>
#include <expected>
#include <span>
#include <string>

#include "orgledger/vault/vault.h"

namespace orgledger::vault {

// Fills `out` from `random`; io_error naming `what` when it cannot.
std::expected<void, Error> draw(Random& random, std::span<std::uint8_t> out, const char* what);
// `size` random bytes as a string (nonces, key ids).
std::expected<std::string, Error> draw_string(Random& random, std::size_t size, const char* what);

}  // namespace orgledger::vault
