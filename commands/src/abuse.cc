// A1–A3: abuse reports and their stages (deadlines and statuses are the projections' A2/A4).
#include "orgledger/commands/stream_names.h"
#include "rules.h"

namespace orgledger::commands {
namespace {

// A3: stage commands come from a service or an agent; then the report must exist.
std::expected<const projections::AbuseReport*, Rejection> stage_target(const Context& ctx, const std::string& id) {
  if (!ctx.actor_is_service() && !ctx.actor_is_agent()) {
    return std::unexpected(reject(Code::forbidden, "A3", "only a service or an agent works on abuse reports"));
  }
  const auto* report = ctx.state.report(id);
  if (report == nullptr) return std::unexpected(reject(Code::not_found, "A3", "report " + id + " does not exist"));
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  return report;
}

Rejection out_of_order(const std::string& what) { return reject(Code::invalid_state, "A3", what); }

// A2/A3: corrective actions apply only to an admissible report, after its investigation when one
// was required; they happen once (CompleteCorrectiveActions or CloseAbuseReport).
std::optional<Rejection> corrective_allowed(const projections::AbuseReport& report) {
  if (!report.assessed) return out_of_order("the report is not assessed yet");
  if (!report.admissible) return out_of_order("an inadmissible report is closed: corrective actions do not apply");
  if (report.investigation_required && !report.investigated) return out_of_order("the investigation is not complete");
  if (report.corrective) return out_of_order("corrective actions are already done");
  return std::nullopt;
}

}  // namespace

RuleOutcome decide_file_abuse(const Context& ctx, const FileAbuseReport& c) {
  if (!ctx.actor_is_service() && !ctx.actor_is_agent()) {
    return std::unexpected(reject(Code::forbidden, "A1", "only a service or an agent files abuse reports"));
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if (ctx.state.report(c.report) != nullptr) return std::unexpected(reject(Code::already_exists, "A1", "report " + c.report + " exists"));
  schema::AbuseReportFiledT filed;
  filed.report = c.report;
  filed.received_at = std::make_unique<schema::Instant>(c.received_at);
  filed.category = c.category;
  // A6: anonymous reports store no contact details.
  auto reporter = std::make_unique<schema::ReporterT>();
  reporter->anonymous = c.reporter.anonymous;
  if (!c.reporter.anonymous) {
    if (!c.reporter.sealed) return std::unexpected(not_sealed("reporter"));  // G1
    reporter->sealed = to_schema(*c.reporter.sealed);
  }
  filed.reporter = std::move(reporter);
  filed.target = c.target.value_or("");
  Events events;
  events.push_back(event(abuse_report_stream(c.report), std::move(filed)));
  return events;
}

RuleOutcome decide_acknowledge(const Context& ctx, const AcknowledgeAbuseReport& c) {
  auto report = stage_target(ctx, c.report);
  if (!report) return std::unexpected(report.error());
  if ((*report)->acknowledged) return std::unexpected(out_of_order("the report is already acknowledged"));
  Events events;
  events.push_back(event(abuse_report_stream(c.report), schema::AbuseReportAcknowledgedT{.report = c.report}));
  return events;
}

RuleOutcome decide_assess(const Context& ctx, const AssessAbuseReport& c) {
  auto report = stage_target(ctx, c.report);
  if (!report) return std::unexpected(report.error());
  if (!(*report)->acknowledged) return std::unexpected(out_of_order("the report is not acknowledged yet"));
  if ((*report)->assessed) return std::unexpected(out_of_order("the report is already assessed"));
  Events events;
  events.push_back(event(abuse_report_stream(c.report),
                         schema::AbuseReportAssessedT{.report = c.report, .admissible = c.admissible,
                                                      .priority = static_cast<schema::AbusePriority>(c.priority),
                                                      .investigation_required = c.investigation_required}));
  return events;
}

RuleOutcome decide_investigation(const Context& ctx, const CompleteAbuseInvestigation& c) {
  auto report = stage_target(ctx, c.report);
  if (!report) return std::unexpected(report.error());
  if (!(*report)->assessed) return std::unexpected(out_of_order("the report is not assessed yet"));
  if (!(*report)->admissible || !(*report)->investigation_required) {
    return std::unexpected(out_of_order("no investigation applies to this report"));
  }
  if ((*report)->investigated) return std::unexpected(out_of_order("the investigation is already complete"));
  Events events;
  events.push_back(event(abuse_report_stream(c.report), schema::AbuseInvestigationCompletedT{.report = c.report, .findings = c.findings}));
  return events;
}

RuleOutcome decide_corrective(const Context& ctx, const CompleteCorrectiveActions& c) {
  auto report = stage_target(ctx, c.report);
  if (!report) return std::unexpected(report.error());
  if (auto refused = corrective_allowed(**report)) return std::unexpected(*refused);
  Events events;
  events.push_back(event(abuse_report_stream(c.report), schema::CorrectiveActionsCompletedT{.report = c.report, .actions = c.actions}));
  return events;
}

RuleOutcome decide_close(const Context& ctx, const CloseAbuseReport& c) {
  auto report = stage_target(ctx, c.report);
  if (!report) return std::unexpected(report.error());
  if (auto refused = corrective_allowed(**report)) return std::unexpected(*refused);
  Events events;
  events.push_back(event(abuse_report_stream(c.report), schema::AbuseReportClosedT{.report = c.report, .reason = c.reason}));
  return events;
}

}  // namespace orgledger::commands
