#include "errors.h"

namespace orgledger::vault {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::bad_master_key: return "bad_master_key";
    case ErrorCode::corrupt: return "corrupt";
    case ErrorCode::io_error: return "io_error";
    case ErrorCode::read_only: return "read_only";
  }
  return "unknown";
}

}  // namespace orgledger::vault
