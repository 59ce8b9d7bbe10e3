#include "orgledger/projections/abuse_sla.h"

#include <algorithm>

namespace orgledger::projections {
namespace {

constexpr Micros kAcknowledgmentWindow = 24LL * 3600 * 1'000'000;  // A2: calendar time
constexpr int kAssessmentDays = 5, kInvestigationDays = 30, kCorrectiveDays = 60;

std::optional<Micros> done_by(const std::optional<AbuseStageDone>& done, Micros at) {
  if (!done || done->at > at) return std::nullopt;
  return done->at;
}

// A4 for an applicable stage.
StageStatus status_of(Micros received_at, Micros due, std::optional<Micros> done_at, Micros at) {
  if (done_at) return *done_at <= due ? StageStatus::met : StageStatus::breached;
  if (at > due) return StageStatus::breached;
  // Less than 25 % of the window left: (due - at) < (due - received_at) / 4, in integers.
  if (4 * (due - at) < (due - received_at)) return StageStatus::at_risk;
  return StageStatus::pending;
}

}  // namespace

const char* to_string(AbuseStage stage) {
  switch (stage) {
    case AbuseStage::acknowledgment: return "acknowledgment";
    case AbuseStage::assessment: return "assessment";
    case AbuseStage::investigation: return "investigation";
    case AbuseStage::corrective_actions: return "corrective_actions";
  }
  return "";
}

const char* to_string(StageStatus status) {
  switch (status) {
    case StageStatus::pending: return "pending";
    case StageStatus::met: return "met";
    case StageStatus::breached: return "breached";
    case StageStatus::at_risk: return "at_risk";
    case StageStatus::not_applicable: return "not_applicable";
  }
  return "";
}

bool AbuseSla::any(StageStatus status) const {
  return std::ranges::any_of(stages, [status](const StageSla& stage) { return stage.status == status; });
}

bool AbuseSla::open() const {
  return std::ranges::any_of(stages, [](const StageSla& stage) {
    return !stage.done_at && stage.status != StageStatus::not_applicable;
  });
}

AbuseSla abuse_sla(const AbuseReport& report, const BusinessCalendar& calendar, Micros at) {
  const Micros received = report.received_at;
  AbuseSla sla;
  auto& ack = sla.stages[0];
  auto& assessment = sla.stages[1];
  auto& investigation = sla.stages[2];
  auto& corrective = sla.stages[3];
  ack.due = received + kAcknowledgmentWindow;
  assessment.due = calendar.add_business_days(received, kAssessmentDays);
  investigation.due = calendar.add_business_days(received, kInvestigationDays);
  corrective.due = calendar.add_business_days(received, kCorrectiveDays);

  ack.applicable = assessment.applicable = true;
  ack.done_at = done_by(report.acknowledged, at);
  assessment.done_at = done_by(report.assessed, at);
  if (assessment.done_at) {
    // A3: an inadmissible assessment closes the report; investigation only if required.
    investigation.applicable = report.admissible && report.investigation_required;
    corrective.applicable = report.admissible;
  }
  investigation.done_at = done_by(report.investigated, at);
  corrective.done_at = done_by(report.corrective, at);

  for (auto& stage : sla.stages) {
    if (!stage.applicable) stage.status = StageStatus::pending;  // A4: until the assessment decides
    else if (!*stage.applicable) stage.status = StageStatus::not_applicable;
    else stage.status = status_of(received, stage.due, stage.done_at, at);
  }
  return sla;
}

}  // namespace orgledger::projections
