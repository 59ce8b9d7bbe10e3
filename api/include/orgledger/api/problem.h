// The error of the api layer (ARCHITECTURE.md: one error type per layer, no exceptions for control
// flow). The convention, layer by layer:
//   ledger/      ledger::Error      {ErrorCode, message, position}: the store and the log
//   projections/ ledger::Error for reading the log; a std::string detail where only input is
//                parsed (a calendar file, a snapshot's bytes)
//   commands/    commands::Rejection {Code, rule, detail}: a refusal by validation or a rule;
//                commands::Failure, the processor's outcome, holds a Rejection or a ledger::Error
//   api/, tools/ api::Problem {code, detail}: an API.md error code and words for people. Parsers
//                of client input (query strings, JSON bodies, commands) return a std::string
//                detail, which is always an invalid_argument.
// Exceptions are for bugs and fatal I/O only (and tools/' UsageError, which ends a subcommand).
#pragma once

#include <string>

namespace orgledger::api {

struct Problem {
  std::string code;     // API.md, Errors: "invalid_argument", "already_exists", "unavailable", …
  std::string message;  // for people
};

}  // namespace orgledger::api
