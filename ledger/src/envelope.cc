#include "envelope.h"

#include <cstring>

#include "orgledger/schema/events_generated.h"
#include "store_layout.h"

namespace orgledger::ledger::envelope {
namespace {

const std::uint8_t* bytes_of(std::string_view text) {
  return reinterpret_cast<const std::uint8_t*>(text.data());
}

// Structure of one envelope buffer: verifier, identifier, required payload.
std::optional<std::string> check_envelope(std::string_view bytes) {
  if (bytes.size() < 8 || !schema::EnvelopeBufferHasIdentifier(bytes.data())) {
    return "not an envelope (no OLEV identifier)";
  }
  flatbuffers::Verifier verifier(bytes_of(bytes), bytes.size());
  if (!schema::VerifyEnvelopeBuffer(verifier)) return "envelope fails FlatBuffers verification";
  const auto* event = schema::GetEnvelope(bytes.data());
  if (event->payload_type() == schema::Event::NONE || event->recorded_at() == nullptr ||
      event->prev_hash() == nullptr) {
    return "envelope lacks payload, recorded_at or prev_hash";
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> check_stored(Position position, std::string_view stored) {
  if (stored.size() <= layout::kHashSize) return "value shorter than a hash and an envelope";
  const std::string_view bytes = stored.substr(layout::kHashSize);
  if (auto problem = check_envelope(bytes)) return problem;
  const auto* event = schema::GetEnvelope(bytes.data());
  if (event->position() != position) {
    return "envelope names position " + std::to_string(event->position());
  }
  if (event->command_event_index() >= event->command_event_count()) {
    return "command event index out of range";
  }
  return std::nullopt;
}

std::optional<std::string> check_draft(const CommandAppend& command, const EventDraft& draft) {
  if (auto problem = check_envelope(draft.envelope)) return problem;
  const auto* event = schema::GetEnvelope(draft.envelope.data());
  if (event->stream()->string_view() != draft.stream) return "draft stream differs from its envelope";
  if (event->actor()->string_view() != command.actor ||
      event->command_id()->string_view() != command.command_id) {
    return "draft was encoded for another command";
  }
  const auto* via = event->via();
  if (via != nullptr) {
    const bool same = command.via && via->principal()->string_view() == command.via->principal &&
                      (via->token() == nullptr ? !command.via->token
                                               : command.via->token && via->token()->string_view() == *command.via->token);
    if (!same) return "draft was encoded with another via";
  } else if (command.via) {
    return "draft was encoded with another via";
  }
  // The writer patches these in place, so they must be stored even when zero (ForceDefaults).
  const auto* table = reinterpret_cast<const flatbuffers::Table*>(event);
  for (auto field : {schema::Envelope::VT_POSITION, schema::Envelope::VT_STREAM_VERSION,
                     schema::Envelope::VT_COMMAND_EVENT_INDEX,
                     schema::Envelope::VT_COMMAND_EVENT_COUNT}) {
    if (table->GetAddressOf(field) == nullptr) return "draft lacks a field the writer fills in";
  }
  return std::nullopt;
}

void patch(std::string& envelope, const WriterFields& fields) {
  auto* event = schema::GetMutableEnvelope(envelope.data());
  event->mutate_position(fields.position);
  event->mutate_stream_version(fields.stream_version);
  event->mutate_command_event_index(fields.command_event_index);
  event->mutate_command_event_count(fields.command_event_count);
  event->mutable_recorded_at()->mutate_us(fields.recorded_at);
  auto* hash = event->mutable_prev_hash()->mutable_bytes();
  std::memcpy(hash->data(), fields.prev_hash.data(), fields.prev_hash.size());
}

Hash prev_hash(std::string_view envelope) {
  Hash hash{};
  std::memcpy(hash.data(), schema::GetEnvelope(envelope.data())->prev_hash()->bytes()->Data(), hash.size());
  return hash;
}

std::uint8_t payload_type(std::string_view envelope) {
  return static_cast<std::uint8_t>(schema::GetEnvelope(envelope.data())->payload_type());
}

}  // namespace orgledger::ledger::envelope
