// The formats of `orgledger export` (API.md, issue 5), one place for the CLI and the benchmark:
//   jsonl := one event per line: the event JSON of API.md plus "envelope" (stored bytes, base64)
//   csv   := kExportCsvHeader, then one row per event; `data` is the event's data as JSON
#pragma once

#include <span>
#include <string>

#include "orgledger/api/base64.h"
#include "orgledger/api/event_json.h"
#include "orgledger/ledger/recorded_event.h"

namespace orgledger::api {

inline constexpr const char* kExportCsvHeader =
    "position,stream,stream_version,recorded_at,type,actor,command_id,correlation_id,data,prev_hash,hash,envelope";

// One line of each format, without its line break.
std::string export_jsonl_line(const ledger::RecordedEvent& event, const PersonalView& view);
std::string export_csv_row(const ledger::RecordedEvent& event, const PersonalView& view);

}  // namespace orgledger::api
