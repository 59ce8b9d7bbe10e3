// CommandAnswer <-> the bytes kept in the `commands` column family (answer.fbs).
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "orgledger/ledger/types.h"

namespace orgledger::ledger::answer_codec {

std::string encode(const CommandAnswer& answer);
// nullopt when `bytes` is not a valid CommandAnswer buffer.
std::optional<CommandAnswer> decode(std::string_view bytes);

}  // namespace orgledger::ledger::answer_codec
