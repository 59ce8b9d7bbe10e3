// Fuzz target: a command as JSON, the way the server reads a POST /v1/commands body (the safe
// parse of request_input.h, then parse_command) and the way `orgledger submit` reads a line.
#include <string_view>

#include "orgledger/api/command_json.h"
#include "request_input.h"
#include "targets.h"

namespace orgledger::fuzz {

void command_json(std::span<const std::uint8_t> input) {
  const std::string_view text(reinterpret_cast<const char*>(input.data()), input.size());
  if (auto object = api::parse_json_object(text)) (void)api::parse_command(*object);
  (void)api::parse_command(text);
}

}  // namespace orgledger::fuzz
