// A2/A4: each abuse report stage's due, done_at and status at an instant.
#pragma once

#include <array>
#include <optional>

#include "orgledger/projections/business_calendar.h"
#include "orgledger/projections/state.h"

namespace orgledger::projections {

enum class AbuseStage : std::uint8_t { acknowledgment, assessment, investigation, corrective_actions };
enum class StageStatus : std::uint8_t { pending, met, breached, at_risk, not_applicable };

const char* to_string(AbuseStage stage);
const char* to_string(StageStatus status);

struct StageSla {
  Micros due = 0;
  std::optional<Micros> done_at;
  StageStatus status = StageStatus::pending;
  // Whether the stage applies: known after the assessment for investigation and corrective actions.
  std::optional<bool> applicable;
};

struct AbuseSla {
  std::array<StageSla, 4> stages;  // indexed by AbuseStage
  const StageSla& operator[](AbuseStage stage) const { return stages[static_cast<std::size_t>(stage)]; }
  bool any(StageStatus status) const;
  // Open: some applicable stage is still to be done (an inadmissible assessment closes a report).
  bool open() const;
};

// A2 dues from received_at: acknowledgment 24 h (calendar time), assessment 5, investigation 30
// and corrective actions 60 business days (A7). A4 statuses at `at`: a stage done after `at` counts
// as not done then.
AbuseSla abuse_sla(const AbuseReport& report, const BusinessCalendar& calendar, Micros at);

}  // namespace orgledger::projections
