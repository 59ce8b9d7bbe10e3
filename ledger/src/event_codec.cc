#include "orgledger/ledger/event_codec.h"

namespace orgledger::ledger {

void add_event(CommandAppend& command, std::string stream, const schema::EventUnion& payload) {
  flatbuffers::FlatBufferBuilder builder(256);
  // Zero scalars must still be stored: the writer patches them in place (envelope::patch).
  builder.ForceDefaults(true);
  const auto stream_offset = builder.CreateString(stream);
  const auto actor_offset = builder.CreateString(command.actor);
  const auto command_id_offset = builder.CreateString(command.command_id);
  const auto correlation_offset = builder.CreateString(command.correlation_id);
  const auto payload_offset = payload.Pack(builder);
  flatbuffers::Offset<schema::Via> via_offset;
  if (command.via) {
    const auto principal = builder.CreateString(command.via->principal);
    const auto token = command.via->token ? builder.CreateString(*command.via->token) : flatbuffers::Offset<flatbuffers::String>();
    via_offset = schema::CreateVia(builder, principal, token);
  }
  const schema::Instant unset_instant(0);
  const schema::Hash32 unset_hash;
  const auto envelope = schema::CreateEnvelope(
      builder, /*position=*/0, stream_offset, /*stream_version=*/0, &unset_instant, actor_offset,
      command_id_offset, correlation_offset, &unset_hash, /*command_event_index=*/0,
      /*command_event_count=*/0, payload.type, payload_offset, via_offset);
  schema::FinishEnvelopeBuffer(builder, envelope);
  command.events.push_back(EventDraft{
      std::move(stream),
      std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize())});
}

schema::EventUnion unpack_payload(const RecordedEvent& event) {
  const auto& envelope = event.envelope();
  schema::EventUnion payload;
  payload.type = envelope.payload_type();
  payload.value = schema::EventUnion::UnPack(envelope.payload(), envelope.payload_type(), nullptr);
  return payload;
}

}  // namespace orgledger::ledger
