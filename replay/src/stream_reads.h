// Reads of one stream bounded by a position, shared by the organization folds (org_fold.cc,
// org_fold_rungs.cc).
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <vector>

#include "orgledger/ledger/ledger.h"

namespace orgledger::replay {

// Appends to `out` the events of `stream` from version `from_version` on whose positions are after
// `after` and at or before `cut`, in version order. Errors: the ledger's.
std::expected<void, ledger::Error> read_stream_between(const ledger::Ledger& ledger, const std::string& stream,
                                                       ledger::StreamVersion from_version, ledger::Position after,
                                                       ledger::Position cut, std::vector<ledger::RecordedEvent>& out);

// The ticket a SupportAccessGranted names (S4: its stream says who may use the grant); nullopt for
// any other event, or a grant that names none.
std::optional<std::string> granted_ticket(const ledger::RecordedEvent& event);

}  // namespace orgledger::replay
