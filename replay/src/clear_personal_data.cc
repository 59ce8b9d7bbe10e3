#include "orgledger/replay/clear_personal_data.h"

#include "orgledger/projections/event_stream.h"
#include "orgledger/schema/events_generated.h"

namespace orgledger::replay {
namespace {

bool has_text(const flatbuffers::String* value) { return value != nullptr && value->size() > 0; }

}  // namespace

bool holds_clear_personal_data(const ledger::RecordedEvent& event) {
  const auto& envelope = event.envelope();
  if (const auto* registered = envelope.payload_as_UserRegistered()) return has_text(registered->login());
  if (const auto* filed = envelope.payload_as_AbuseReportFiled()) {
    const auto* reporter = filed->reporter();
    return reporter != nullptr && !reporter->anonymous() &&
           (has_text(reporter->name()) || has_text(reporter->email()) || has_text(reporter->phone()));
  }
  return false;
}

std::expected<std::vector<ledger::Position>, ledger::Error> clear_personal_data_positions(const ledger::Ledger& ledger) {
  std::vector<ledger::Position> out;
  auto scanned = projections::for_each_event(ledger, 1, ledger.head().position, [&](const ledger::RecordedEvent& event) {
    if (holds_clear_personal_data(event)) out.push_back(event.position());
    return true;
  });
  if (!scanned) return std::unexpected(scanned.error());
  return out;
}

}  // namespace orgledger::replay
