#include "orgledger/projections/reporter_contact.h"

#include "orgledger/schema/events_generated.h"

namespace orgledger::projections {

std::string encode_reporter_contact(const ReporterContact& contact) {
  flatbuffers::FlatBufferBuilder builder(128);
  schema::ReporterContactT table{.name = contact.name, .email = contact.email, .phone = contact.phone};
  builder.Finish(schema::ReporterContact::Pack(builder, &table));
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

std::optional<ReporterContact> decode_reporter_contact(std::string_view bytes) {
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  flatbuffers::Verifier verifier(data, bytes.size());
  if (!verifier.VerifyBuffer<schema::ReporterContact>(nullptr)) return std::nullopt;
  const auto* table = flatbuffers::GetRoot<schema::ReporterContact>(data);
  auto text = [](const flatbuffers::String* s) { return s == nullptr ? std::string() : s->str(); };
  return ReporterContact{text(table->name()), text(table->email()), text(table->phone())};
}

}  // namespace orgledger::projections
