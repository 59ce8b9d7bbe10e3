// Building and unpacking event payloads with the FlatBuffers object API of ledger/schema.
// Includes the generated schema header, which is large: include this only where events are built
// or taken apart field by field, not in widely included headers.
#pragma once

#include <string>

#include "orgledger/ledger/recorded_event.h"
#include "orgledger/ledger/types.h"
#include "orgledger/schema/events_generated.h"

namespace orgledger::ledger {

// Encodes `payload` as the next event of `command` on `stream` (with command.actor, command_id
// and correlation_id) and appends the draft to command.events. The writer fills in position,
// stream version, recorded_at, prev_hash and the command index when it appends.
void add_event(CommandAppend& command, std::string stream, const schema::EventUnion& payload);

// Convenience for one native event table: add_event(cmd, "org:acme", schema::MemberAddedT{…}).
template <typename NativeTable>
void add_event(CommandAppend& command, std::string stream, NativeTable table) {
  schema::EventUnion payload;
  payload.Set(std::move(table));
  add_event(command, std::move(stream), payload);
}

// The payload of a recorded event as an object (copies every field).
schema::EventUnion unpack_payload(const RecordedEvent& event);

}  // namespace orgledger::ledger
