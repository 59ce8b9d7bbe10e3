#include "orgledger/api/event_json.h"

#include <flatbuffers/minireflect.h>

#include <nlohmann/json.hpp>

#include "orgledger/api/base64.h"
#include "orgledger/api/time_format.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/projections/sealed_value.h"
#include "orgledger/schema/events_generated.h"

namespace orgledger::api {
namespace {

using Json = nlohmann::ordered_json;

Json contact_json(const projections::ReporterContact& contact) {
  Json out = Json::object();
  if (!contact.name.empty()) out["name"] = contact.name;
  if (!contact.email.empty()) out["email"] = contact.email;
  if (!contact.phone.empty()) out["phone"] = contact.phone;
  return out;
}

// Walks any table of events.fbs through the mini-reflection tables flatc generated, so that a
// member added to the schema shows up here without code. Special types are recognised by their
// type table: Instant (RFC 3339) and the tables holding personal data (G1–G3).
class PayloadWriter {
 public:
  PayloadWriter(const PersonalView& view, const ledger::RecordedEvent& event) : view_(view), event_(event) {}

  Json table(const std::uint8_t* object, const flatbuffers::TypeTable* type) const {
    if (type == schema::ReporterTypeTable()) return reporter(object);
    if (type == schema::UserRegisteredTypeTable()) return user_registered(object);
    if (type == schema::IdentityDocumentTypeTable()) return document(object);
    if (type == schema::SealedTypeTable()) return to_string(Hidden::redacted);  // never the ciphertext
    Json out = Json::object();
    for (std::size_t i = 0; i < type->num_elems; ++i) {
      const auto code = type->type_codes[i];
      const auto base = static_cast<flatbuffers::ElementaryType>(code.base_type);
      if (base == flatbuffers::ET_UTYPE) continue;  // a union's tag: shown as the member's name
      const flatbuffers::TypeTable* ref = code.sequence_ref >= 0 ? type->type_refs[code.sequence_ref]() : nullptr;
      const std::uint8_t* field = type->st == flatbuffers::ST_TABLE
                                      ? reinterpret_cast<const flatbuffers::Table*>(object)->GetAddressOf(
                                            flatbuffers::FieldIndexToOffset(static_cast<flatbuffers::voffset_t>(i)))
                                      : object + type->values[i];
      // flatc suffixes C++ keywords (`case` is stored as `case_`): JSON keeps the schema's word.
      std::string name = type->names[i];
      if (name.ends_with('_')) name.pop_back();
      if (field == nullptr) {
        // Scalars are always stored (events are built with ForceDefaults): absent means an
        // optional field that was not given, or one added to the schema after this event.
        out[name] = code.is_repeating ? Json::array() : Json(nullptr);
        continue;
      }
      if (code.is_repeating) {
        const auto* vector = reinterpret_cast<const flatbuffers::Vector<std::uint8_t>*>(
            field + flatbuffers::ReadScalar<flatbuffers::uoffset_t>(field));
        Json items = Json::array();
        const std::uint8_t* element = vector->Data();
        for (flatbuffers::uoffset_t j = 0; j < vector->size(); ++j) {
          items.push_back(value(base, element, ref));
          element += flatbuffers::InlineSize(base, ref);
        }
        out[name] = std::move(items);
      } else {
        out[name] = value(base, field, ref);
      }
    }
    return out;
  }

 private:
  Json value(flatbuffers::ElementaryType base, const std::uint8_t* at, const flatbuffers::TypeTable* ref) const {
    using flatbuffers::ReadScalar;
    auto integer = [&](auto raw) -> Json {
      if (ref != nullptr && ref->st == flatbuffers::ST_ENUM) {
        if (const char* name = flatbuffers::EnumName(raw, ref)) return name;
      }
      return raw;
    };
    switch (base) {
      case flatbuffers::ET_BOOL:
        return ReadScalar<std::uint8_t>(at) != 0;
      case flatbuffers::ET_CHAR:
        return integer(ReadScalar<std::int8_t>(at));
      case flatbuffers::ET_UCHAR:
        return integer(ReadScalar<std::uint8_t>(at));
      case flatbuffers::ET_SHORT:
        return integer(ReadScalar<std::int16_t>(at));
      case flatbuffers::ET_USHORT:
        return integer(ReadScalar<std::uint16_t>(at));
      case flatbuffers::ET_INT:
        return integer(ReadScalar<std::int32_t>(at));
      case flatbuffers::ET_UINT:
        return integer(ReadScalar<std::uint32_t>(at));
      case flatbuffers::ET_LONG:
        return ReadScalar<std::int64_t>(at);
      case flatbuffers::ET_ULONG:
        return ReadScalar<std::uint64_t>(at);
      case flatbuffers::ET_FLOAT:
        return ReadScalar<float>(at);
      case flatbuffers::ET_DOUBLE:
        return ReadScalar<double>(at);
      case flatbuffers::ET_STRING: {
        const auto* text = reinterpret_cast<const flatbuffers::String*>(at + ReadScalar<flatbuffers::uoffset_t>(at));
        return text->str();
      }
      case flatbuffers::ET_SEQUENCE:
        if (ref == schema::InstantTypeTable()) return format_instant(ReadScalar<std::int64_t>(at));
        if (ref->st == flatbuffers::ST_STRUCT) return table(at, ref);
        if (ref->st == flatbuffers::ST_TABLE) return table(at + ReadScalar<flatbuffers::uoffset_t>(at), ref);
        return nullptr;  // unions appear only in the envelope
      default:
        return nullptr;  // ET_UTYPE is skipped by table()
    }
  }

  static std::string text(const flatbuffers::String* value) { return value == nullptr ? std::string() : value->str(); }



  // The id of the event's stream (user:<id>, abuse:<id>, kcheck:<case>): the subject of its data.
  std::string_view stream_id() const {
    const auto stream = event_.stream();
    const auto colon = stream.find(':');
    return colon == std::string_view::npos ? stream : stream.substr(colon + 1);
  }

  // U1: {"user", "login"}, the login as G3 lets the viewer see it.
  Json user_registered(const std::uint8_t* object) const {
    const auto* e = reinterpret_cast<const schema::UserRegistered*>(object);
    projections::PersonalText login;
    login.sealed = projections::sealed_of(e->login_sealed());
    if (!login.sealed) login.clear = text(e->login());  // G4
    Json out = Json::object();
    out["user"] = text(e->user());
    const auto shown = show_login(view_, text(e->user()), login, false);
    if (const auto* hidden = std::get_if<Hidden>(&shown)) out["login"] = to_string(*hidden);
    else out["login"] = std::get<std::string>(shown);
    return out;
  }

  // A1: "anonymous", or the contact details as G3/A6 let the viewer see them.
  Json reporter(const std::uint8_t* object) const {
    const auto* details = reinterpret_cast<const schema::Reporter*>(object);
    if (details->anonymous()) return "anonymous";
    projections::Reporter reporter{false, text(details->name()), text(details->email()), text(details->phone()), std::nullopt};
    reporter.sealed = projections::sealed_of(details->sealed());
    const auto shown = show_reporter(view_, stream_id(), reporter, false);
    if (const auto* hidden = std::get_if<Hidden>(&shown)) return to_string(*hidden);
    return contact_json(std::get<projections::ReporterContact>(shown));
  }

  // K2: {"kind", "content"}; the documents are gone for everyone from submitted_at + 72 h (K4).
  Json document(const std::uint8_t* object) const {
    const auto* d = reinterpret_cast<const schema::IdentityDocument*>(object);
    Json out = Json::object();
    out["kind"] = schema::EnumNameDocumentKind(d->kind());
    const bool readable = view_.now < event_.recorded_at() + projections::kDocumentLifetime;
    const auto shown = show_document(view_, stream_id(), projections::sealed_of(d->content()).value_or(projections::Sealed{}), readable);
    if (const auto* hidden = std::get_if<Hidden>(&shown)) out["content"] = to_string(*hidden);
    else out["content"] = base64(std::get<std::string>(shown));
    return out;
  }

  const PersonalView& view_;
  const ledger::RecordedEvent& event_;
};

}  // namespace

nlohmann::ordered_json event_to_json(const ledger::RecordedEvent& event, const PersonalView& view) {
  const schema::Envelope& envelope = event.envelope();
  Json out = Json::object();
  out["position"] = event.position();
  out["stream"] = event.stream();
  out["stream_version"] = event.stream_version();
  out["recorded_at"] = format_instant(event.recorded_at());
  out["type"] = event.type_name();
  out["actor"] = event.actor();
  // D4: who vouched for the actor; null for an event recorded before D4.
  if (const auto via = event.via()) {
    out["via"] = Json{{"principal", via->principal}, {"token", via->token ? Json(*via->token) : Json(nullptr)}};
  } else {
    out["via"] = nullptr;
  }
  out["command_id"] = event.command_id();
  if (!event.correlation_id().empty()) out["correlation_id"] = event.correlation_id();
  const auto type_index = static_cast<std::size_t>(envelope.payload_type()) - 1;  // 0 is NONE
  const flatbuffers::TypeTable* union_table = schema::EventTypeTable();
  if (type_index < union_table->num_elems - 1) {
    const auto code = union_table->type_codes[type_index + 1];
    out["data"] = PayloadWriter(view, event).table(static_cast<const std::uint8_t*>(envelope.payload()),
                                                union_table->type_refs[code.sequence_ref]());
  } else {
    out["data"] = nullptr;  // a member from a newer schema than this binary knows
  }
  out["prev_hash"] = ledger::to_hex(event.prev_hash());
  out["hash"] = ledger::to_hex(event.hash());
  return out;
}

}  // namespace orgledger::api
