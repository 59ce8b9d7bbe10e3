// GET /v1/abuse-reports and /v1/abuse-reports/{report} (API.md): reports with each stage's SLA
// (A2, A4); reporter contact details only for the abuse:reporter scope (A6). As of a past point,
// only the reports' streams are folded ("abuse:…": a report's stream says all of it), never the
// whole log.
#include <map>
#include <nlohmann/json.hpp>

#include "orgledger/commands/stream_names.h"
#include "orgledger/projections/abuse_sla.h"
#include "query_state.h"
#include "router.h"

namespace orgledger::api {
void get_abuse_reports(Call& call, Reply reply) {
  const auto status = call.query.get("status");
  if (status && *status != "open" && *status != "breached" && *status != "at_risk") {
    return reply(
        problem_response(400, "invalid_argument", "status is open, breached or at_risk, not '" + *status + "'"));
  }
  const auto view = personal_view_for(call.token, call.services);
  reply(with_stream_family_state(call, commands::kAbuseReportStreams, [&](const projections::State& state, ledger::Position as_of,
                                                            ledger::Micros at) {
    // Sorted by report id, so the answer does not depend on hashing.
    std::map<std::string_view, const projections::AbuseReport*> sorted;
    for (const auto& [id, report] : state.reports) sorted.emplace(id, &report);
    Json reports = Json::array();
    for (const auto& [id, report] : sorted) {
      const auto sla = projections::abuse_sla(*report, call.services.calendar, at);
      if (status == "open" && !sla.open()) continue;
      if (status == "breached" && !sla.any(projections::StageStatus::breached)) continue;
      if (status == "at_risk" && !sla.any(projections::StageStatus::at_risk)) continue;
      reports.push_back(abuse_report_json(std::string(id), *report, sla, view));
    }
    Json out;
    out["as_of_position"] = as_of;
    out["at"] = format_instant(at);
    out["reports"] = std::move(reports);
    return json_response(200, out);
  }));
}

void get_abuse_report(Call& call, Reply reply) {
  const std::string& id = call.path_params.at(0);
  const auto view = personal_view_for(call.token, call.services);
  auto point = query_point(call);
  if (!point) return reply(std::move(point.error()));
  auto fold = [&](const std::optional<projections::AsOf>& as_of, ledger::Micros now) {
    return replay::fold_streams_as_of(call.services.ledger, {commands::abuse_report_stream(id)}, as_of, now);
  };
  reply(with_streams_state_at(call, *point, fold, [&](const projections::State& state, ledger::Position as_of,
                                                      ledger::Micros at) {
    auto report = state.reports.find(id);
    if (report == state.reports.end())
      return problem_response(404, "not_found", "abuse report " + id + " does not exist");
    Json out = abuse_report_json(id, report->second, projections::abuse_sla(report->second, call.services.calendar, at),
                                 view);
    out["as_of_position"] = as_of;
    out["at"] = format_instant(at);
    return json_response(200, out);
  }));
}

}  // namespace orgledger::api
