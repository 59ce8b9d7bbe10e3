#include "orgledger/ledger/recorded_event.h"

#include <cstring>

#include "envelope.h"
#include "orgledger/schema/events_generated.h"
#include "store_layout.h"

namespace orgledger::ledger {

const char* to_string(ErrorCode code) {
  switch (code) {
    case ErrorCode::invalid_argument: return "invalid_argument";
    case ErrorCode::version_conflict: return "version_conflict";
    case ErrorCode::corrupt: return "corrupt";
    case ErrorCode::io_error: return "io_error";
    case ErrorCode::stopped: return "stopped";
    case ErrorCode::read_only: return "read_only";
    case ErrorCode::not_found: return "not_found";
    case ErrorCode::outcome_unknown: return "outcome_unknown";
  }
  return "unknown";
}

std::expected<RecordedEvent, Error> RecordedEvent::from_stored(Position position, std::string stored) {
  if (auto problem = envelope::check_stored(position, stored)) {
    return std::unexpected(Error{ErrorCode::corrupt,
                                 "event " + std::to_string(position) + ": " + *problem, position});
  }
  return RecordedEvent(position, std::move(stored));
}

Hash RecordedEvent::hash() const {
  Hash hash{};
  std::memcpy(hash.data(), stored_.data(), hash.size());
  return hash;
}

std::span<const std::uint8_t> RecordedEvent::envelope_bytes() const {
  const auto* data = reinterpret_cast<const std::uint8_t*>(stored_.data());
  return {data + layout::kHashSize, stored_.size() - layout::kHashSize};
}

const schema::Envelope& RecordedEvent::envelope() const {
  return *schema::GetEnvelope(stored_.data() + layout::kHashSize);
}

std::string_view RecordedEvent::stream() const { return envelope().stream()->string_view(); }
StreamVersion RecordedEvent::stream_version() const { return envelope().stream_version(); }
Micros RecordedEvent::recorded_at() const { return envelope().recorded_at()->us(); }
std::string_view RecordedEvent::actor() const { return envelope().actor()->string_view(); }
std::string_view RecordedEvent::command_id() const { return envelope().command_id()->string_view(); }

std::optional<Via> RecordedEvent::via() const {
  const auto* via = envelope().via();
  if (via == nullptr) return std::nullopt;
  Via out{via->principal()->str(), std::nullopt};
  if (via->token() != nullptr) out.token = via->token()->str();
  return out;
}

std::string_view RecordedEvent::correlation_id() const {
  const auto* id = envelope().correlation_id();
  return id == nullptr ? std::string_view{} : id->string_view();
}

Hash RecordedEvent::prev_hash() const {
  Hash hash{};
  std::memcpy(hash.data(), envelope().prev_hash()->bytes()->Data(), hash.size());
  return hash;
}

std::uint16_t RecordedEvent::command_event_index() const { return envelope().command_event_index(); }
std::uint16_t RecordedEvent::command_event_count() const { return envelope().command_event_count(); }
std::uint8_t RecordedEvent::type() const { return static_cast<std::uint8_t>(envelope().payload_type()); }
std::string_view RecordedEvent::type_name() const { return event_type_name(type()); }

std::string_view event_type_name(std::uint8_t type) {
  if (type == 0 || type > static_cast<std::uint8_t>(schema::Event::MAX)) return {};
  return schema::EnumNameEvent(static_cast<schema::Event>(type));
}

}  // namespace orgledger::ledger
