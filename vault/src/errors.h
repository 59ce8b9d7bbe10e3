// Building vault::Error values (the layer's one error type): errors are values, never exceptions.
#pragma once

#include <expected>
#include <string>

#include "orgledger/vault/vault.h"

namespace orgledger::vault {

inline std::unexpected<Error> fail(ErrorCode code, std::string message) {
  return std::unexpected(Error{code, std::move(message)});
}

}  // namespace orgledger::vault
