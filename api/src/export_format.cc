#include "orgledger/api/export_format.h"

#include <openssl/evp.h>

#include <nlohmann/json.hpp>

namespace orgledger::api {
namespace {

// RFC 4180: quoted when it holds a comma, a quote or a line break; quotes doubled.
std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\r\n") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string dump(const nlohmann::ordered_json& json) {
  return json.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

}  // namespace


std::string export_jsonl_line(const ledger::RecordedEvent& event, const PersonalView& view) {
  auto json = event_to_json(event, view);
  json["envelope"] = base64(event.envelope_bytes());
  return dump(json);
}

std::string export_csv_row(const ledger::RecordedEvent& event, const PersonalView& view) {
  const auto json = event_to_json(event, view);
  std::string row;
  for (const char* field : {"position", "stream", "stream_version", "recorded_at", "type", "actor", "command_id"}) {
    row += csv_field(json[field].is_string() ? json[field].get<std::string>() : json[field].dump()) + ",";
  }
  row += csv_field(json.value("correlation_id", "")) + ",";
  row += csv_field(dump(json["data"])) + ",";
  row += json["prev_hash"].get<std::string>() + "," + json["hash"].get<std::string>() + "," +
         base64(event.envelope_bytes());
  return row;
}

}  // namespace orgledger::api
