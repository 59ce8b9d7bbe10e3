// An event as API.md shows it, wherever it is shown (CLI, HTTP, exports):
// {"position", "stream", "stream_version", "recorded_at", "type", "actor", "command_id",
//  "correlation_id", "data": {…}, "prev_hash", "hash"}
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "orgledger/ledger/recorded_event.h"

namespace orgledger::api {

enum class ReporterDetails {
  redacted,  // A6: everyone without the abuse:reporter scope sees "redacted"
  revealed,
};

// `data` holds the payload's fields under the command's field names, instants in RFC 3339, enums
// by name, absent optional fields as null (vectors as []), and A1's reporter as "anonymous", an
// object of contact details, or "redacted".
nlohmann::ordered_json event_to_json(const ledger::RecordedEvent& event,
                                     ReporterDetails reporter = ReporterDetails::redacted);

}  // namespace orgledger::api
