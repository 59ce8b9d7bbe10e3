// Envelope checks and in-place patching shared by the writer, the readers and verify.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "orgledger/ledger/types.h"

namespace orgledger::ledger::envelope {

// What is wrong with a stored value at `position` (hash, then envelope), or nullopt when it is a
// well-formed envelope naming that position. Never reads outside `stored`.
std::optional<std::string> check_stored(Position position, std::string_view stored);

// What is wrong with a draft of `command` (see event_codec.h), or nullopt.
std::optional<std::string> check_draft(const CommandAppend& command, const EventDraft& draft);

// The writer's fields of an event, filled in when it is appended.
struct WriterFields {
  Position position = 0;
  StreamVersion stream_version = 0;
  Micros recorded_at = 0;
  Hash prev_hash{};
  std::uint16_t command_event_index = 0;
  std::uint16_t command_event_count = 0;
};

// Writes `fields` into a draft that passed check_draft (its scalar fields are all present).
void patch(std::string& envelope, const WriterFields& fields);

// The prev_hash of an envelope that passed one of the checks.
Hash prev_hash(std::string_view envelope);

// The Event union member of an envelope that passed one of the checks.
std::uint8_t payload_type(std::string_view envelope);

}  // namespace orgledger::ledger::envelope
