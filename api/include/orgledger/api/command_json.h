// Commands as API.md receives them: one JSON object {"type": "AddMember", "actor": "u1", …,
// "command_id"?, "correlation_id"?, "expected_version"?}, fields named as in DOMAIN.md.
#pragma once

#include <expected>
#include <string>
#include <string_view>

#include <nlohmann/json_fwd.hpp>

#include "orgledger/commands/command.h"

namespace orgledger::api {

// Strict: an unknown type or field, a missing field or a value of the wrong type is an error
// naming it (the caller answers invalid_argument).
std::expected<commands::Command, std::string> parse_command(const nlohmann::json& json);
// The same from text (malformed JSON is an error too).
std::expected<commands::Command, std::string> parse_command(std::string_view text);

}  // namespace orgledger::api
