// An event as stored, verified before anyone can look at it.
#pragma once

#include <cstdint>
#include <expected>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include "orgledger/ledger/types.h"

namespace orgledger::schema {
struct Envelope;
}

namespace orgledger::ledger {

class RecordedEvent {
 public:
  // Checks `stored` (the value of the `events` column family at `position`: 32-byte hash, then the
  // envelope): length, flatbuffers::Verifier, file identifier, and that the envelope names the
  // same position. Any failure is a `corrupt` error naming `position`, never a crash.
  static std::expected<RecordedEvent, Error> from_stored(Position position, std::string stored);

  Position position() const { return position_; }
  // The hash stored with the event (checked against the chain only by verify()).
  Hash hash() const;
  std::span<const std::uint8_t> envelope_bytes() const;
  // The stored bytes exactly as in the `events` column family.
  const std::string& stored() const { return stored_; }

  // The FlatBuffers envelope (include the generated events_generated.h to use it).
  const schema::Envelope& envelope() const;

  // The envelope's fields most readers need, without the generated header.
  std::string_view stream() const;
  StreamVersion stream_version() const;
  Micros recorded_at() const;
  std::string_view actor() const;
  std::string_view command_id() const;
  std::string_view correlation_id() const;
  // D4: who vouched for the actor; nullopt for an event recorded before D4.
  std::optional<Via> via() const;
  Hash prev_hash() const;
  std::uint16_t command_event_index() const;
  std::uint16_t command_event_count() const;
  // True for the last event of its command: as-of (D3) stops only at such positions.
  bool ends_command() const { return command_event_index() + 1 == command_event_count(); }
  std::uint8_t type() const;
  std::string_view type_name() const;

 private:
  RecordedEvent(Position position, std::string stored) : position_(position), stored_(std::move(stored)) {}

  Position position_;
  std::string stored_;
};

// The name of an Event union member ("MemberAdded"), or "" for an unknown member.
std::string_view event_type_name(std::uint8_t type);

}  // namespace orgledger::ledger
