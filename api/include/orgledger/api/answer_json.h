// The JSON of API.md for command answers, problems and query results.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "orgledger/api/event_json.h"
#include "orgledger/commands/processor.h"
#include "orgledger/ledger/verify.h"
#include "orgledger/projections/abuse_sla.h"
#include "orgledger/projections/access.h"
#include "orgledger/projections/state.h"

namespace orgledger::api {

using Json = nlohmann::ordered_json;

// {"position", "stream_version", "events": [{"position", "type"}…]} (+ "duplicate": true).
Json answer_json(const ledger::CommandAnswer& answer);
// application/problem+json: {"status", "code", "title", "detail", "rule"}.
Json problem_json(commands::Code code, const std::string& rule, const std::string& detail);
// The problem of a failed command (a ledger failure is 503 "unavailable": not the command's fault).
Json failure_json(const commands::Failure& failure);
// The body of a command's outcome, success or problem, with the `command_id` it used (API.md;
// `submit --json` prints one per line).
Json outcome_json(const commands::Outcome& outcome, const std::string& command_id);

// {"kind", "role"?, "team"?, "grant"?, "since_position"}: one reason of a permission.
Json reason_json(const projections::Reason& reason);
Json reasons_json(const std::vector<projections::Reason>& reasons);

// {"allowed", "because": [{"kind", "role"?, "team"?, "grant"?, "since_position"}], "as_of_position"}
// (+ "missing" on a denial when `explain`).
Json check_json(const projections::CheckResult& result, ledger::Position as_of_position, bool explain);

// {"org", "as_of_position", "members": [{"user", "role", "billing", "products", "teams", "contact_prefs"}]}
Json members_json(const std::string& org_id, const projections::Organization& org, ledger::Position as_of_position);

// {"report", "received_at", "category", "reporter", "target", "stages": {stage: {"due", "done_at", "status"}}}
Json abuse_report_json(const std::string& id, const projections::AbuseReport& report, const projections::AbuseSla& sla,
                       ReporterDetails reporter);

// {"ok", "checked", "head": {"position", "hash"}} (+ "first_bad_position", "problem" when broken).
Json verify_json(const ledger::VerifyReport& report);

}  // namespace orgledger::api
