// The JSON of API.md for command answers, problems and query results.
#pragma once

#include <string>

#include <nlohmann/json_fwd.hpp>

#include "orgledger/api/event_json.h"
#include "orgledger/api/personal_view.h"
#include "orgledger/commands/processor.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/verify.h"
#include "orgledger/projections/abuse_sla.h"
#include "orgledger/projections/access.h"
#include "orgledger/projections/state.h"
#include "orgledger/projections/state_view.h"

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

// C5: {"org", "relations": [{"partner_org", "client_org", "scope": "full"|[…], "billing", "managers",
// "state": "active"|"ended", "since_position", "ended_position"}], "as_of_position"}: where `org_id`
// is the client, then where it is the partner (its clients' relations with it), in order.
Json partners_json(const std::string& org_id, const projections::StateView& state, ledger::Position as_of_position);

// B4: {"org", "products": [{"product", "expires_at", "state", "auto_renewal": {"enabled",
// "payment_method", "first_attempt_at"}}], "as_of_position"}, states at `at`, products sorted.
Json renewals_json(const std::string& org_id, const projections::Organization& org, ledger::Micros at,
                   ledger::Position as_of_position);

// {"report", "received_at", "category", "reporter", "target", "stages": {stage: {"due", "done_at", "status"}}}
// The reporter as `view` may see it (A6, G3).
Json abuse_report_json(const std::string& id, const projections::AbuseReport& report, const projections::AbuseSla& sla,
                       const PersonalView& view);

// U1/G3: {"user", "login", "organizations": [{"org", "role"}], "as_of_position"}, organizations sorted.
Json user_json(const std::string& id, const projections::User& user, const projections::State& state,
               const PersonalView& view, ledger::Position as_of_position);

// K1–K4: {"case", "user", "reason", "state", "submitted_at", "purge_at", "documents": [{"kind", "content"}],
// "as_of_position"}, state and readability at `at`. `contents` holds the sealed content of each
// document (from its event), in order; missing ones show as "forgotten".
Json identity_verification_json(const std::string& id, const projections::IdentityCase& c,
                                 const std::vector<projections::Sealed>& contents, const PersonalView& view,
                                 ledger::Micros at, ledger::Position as_of_position);

// K2: the sealed contents of a case's documents, read from the event that submitted them (the
// state keeps references, not the up to 4 MiB of ciphertext); empty when there are none.
std::vector<projections::Sealed> document_contents(const ledger::Ledger& ledger, const projections::IdentityCase& c);

// K5: {"order", "org", "reason", "state", "blocked_at", "cancel_at", "as_of_position"}, state at `at`.
Json order_json(const std::string& id, const projections::Order& order, ledger::Micros at, ledger::Position as_of_position);

// {"ok", "checked", "head": {"position", "hash"}} (+ "first_bad_position", "problem" when broken).
Json verify_json(const ledger::VerifyReport& report);

}  // namespace orgledger::api
