// Commands as API.md receives them: one JSON object {"type": "AddMember", "actor": "u1", …,
// "command_id"?, "correlation_id"?, "expected_version"?}, fields named as in DOMAIN.md.
#pragma once

#include <expected>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "orgledger/commands/command.h"

namespace orgledger::api {

// Strict: an unknown type or field, a missing field or a value of the wrong type is an error
// naming it (the caller answers invalid_argument).
std::expected<commands::Command, std::string> parse_command(const nlohmann::json& json);
// The same from text (malformed JSON is an error too).
std::expected<commands::Command, std::string> parse_command(std::string_view text);

// What parse_command accepts, per command type: every field it reads (`type` and the envelope's
// included) and those it requires. The OpenAPI document's test compares them with its schemas.
struct CommandShape {
  std::string type;
  std::set<std::string> fields;
  std::set<std::string> required;
};
std::vector<CommandShape> command_shapes();

}  // namespace orgledger::api
