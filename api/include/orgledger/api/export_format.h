// The formats of `orgledger export` (API.md, issue 5), one place for the CLI and the benchmark:
//   jsonl := one event per line: the event JSON of API.md plus "envelope" (stored bytes, base64)
//   csv   := kExportCsvHeader, then one row per event; `data` is the event's data as JSON
#pragma once

#include <span>
#include <string>

#include "orgledger/api/event_json.h"
#include "orgledger/ledger/recorded_event.h"

namespace orgledger::api {

inline constexpr const char* kExportCsvHeader =
    "position,stream,stream_version,recorded_at,type,actor,command_id,correlation_id,data,prev_hash,hash,envelope";

std::string base64(std::span<const std::uint8_t> bytes);

// One line of each format, without its line break.
std::string export_jsonl_line(const ledger::RecordedEvent& event, ReporterDetails reporter);
std::string export_csv_row(const ledger::RecordedEvent& event, ReporterDetails reporter);

}  // namespace orgledger::api
