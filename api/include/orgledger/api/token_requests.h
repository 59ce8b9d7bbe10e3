// The `token` operations of API.md (create, list, revoke) as JSON requests and answers, run the
// same way by the command line on a data directory and by a running server's admin socket.
//   request := {"op": "create_token", "name", "scopes": "a,b", "principal"?, "act_as"?: "A,B",
//               "expires_in"?: "90d"|"12h"|"30m"|"45s"}
//            | {"op": "list_tokens"} | {"op": "revoke_token", "name"}
//   answer  := create: {"token", "name", "principal", "scopes", "act_as", "expires_at"}
//            | list: {"tokens": [{"name", "principal", "scopes", "act_as", "created_at",
//                                 "expires_at", "revoked_at"}]}
//            | revoke: the token's list entry | failure: {"error", "code"} (API.md codes)
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "orgledger/api/token_store.h"

namespace orgledger::api {

// "90d", "12h", "30m", "45s" in microseconds; nullopt for anything else (or not positive).
std::optional<ledger::Micros> parse_duration(std::string_view text);

// Runs one request on `tokens`; the operator (D5: actor of the events) is `operator_principal`.
nlohmann::json run_token_request(TokenStore& tokens, const nlohmann::json& request,
                                 const std::string& operator_principal, ledger::Micros now);

// D4/D5: the command line's principal, "local:<OS user name>" of the effective user (of `uid`),
// its number when it has no name.
std::string local_principal();
std::string local_principal_of(unsigned uid);

}  // namespace orgledger::api
