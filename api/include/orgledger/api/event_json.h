// An event as API.md shows it, wherever it is shown (CLI, HTTP, exports):
// {"position", "stream", "stream_version", "recorded_at", "type", "actor", "command_id",
//  "correlation_id", "data": {…}, "prev_hash", "hash"}
#pragma once

#include <nlohmann/json_fwd.hpp>

#include "orgledger/api/personal_view.h"
#include "orgledger/ledger/recorded_event.h"

namespace orgledger::api {

// `data` holds the payload's fields under the command's field names, instants in RFC 3339, enums
// by name, absent optional fields as null (vectors as []). Personal data (G1) as `view` may see it
// (G3): a login as its text, "redacted" or "forgotten"; A1's reporter as "anonymous", an object of
// contact details, "redacted" or "forgotten"; a K2 document's content as base64, "redacted" or
// "forgotten" (also from submitted_at + 72 h on, K4). Never the ciphertext.
// The default view redacts all personal data (and, without a vault, cannot tell what is forgotten).
nlohmann::ordered_json event_to_json(const ledger::RecordedEvent& event, const PersonalView& view = {});

}  // namespace orgledger::api
