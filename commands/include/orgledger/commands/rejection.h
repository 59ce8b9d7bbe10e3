// A refused command, as a value (ARCHITECTURE.md): the code of API.md and the rule of DOMAIN.md.
#pragma once

#include <string>

namespace orgledger::commands {

enum class Code {
  invalid_argument,
  not_found,
  forbidden,
  already_exists,
  version_conflict,
  last_legal_representative,
  invalid_state,
  not_active,
  conflict,
  too_close_to_expiry,
  unsupported_payment_method,
};

const char* to_string(Code code);
// The HTTP status of API.md's error table.
int http_status(Code code);

struct Rejection {
  Code code;
  std::string rule;    // "R3", "" when no single rule applies (ids, shapes)
  std::string detail;  // for people; never the only place a fact is
};

inline Rejection reject(Code code, std::string rule, std::string detail) {
  return Rejection{code, std::move(rule), std::move(detail)};
}

}  // namespace orgledger::commands
