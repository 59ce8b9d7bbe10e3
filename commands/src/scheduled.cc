// S6 and A5: what the scheduler puts on record, each exactly once, and only when it is true.
#include "orgledger/projections/abuse_sla.h"
#include "orgledger/projections/access.h"
#include "rules.h"

namespace orgledger::commands {
namespace {

std::optional<Rejection> scheduler_only(const Context& ctx, const char* rule) {
  if (ctx.actor() == "svc:scheduler") return std::nullopt;
  return reject(Code::forbidden, rule, "only svc:scheduler records expiries and breaches");
}

}  // namespace

RuleOutcome decide_expire_support(const Context& ctx, const ExpireSupportAccess& c) {
  auto org = ctx.organization(c.org);
  if (!org) return std::unexpected(org.error());
  if (auto denied = scheduler_only(ctx, "S6")) return std::unexpected(*denied);
  auto grant = (*org)->grants.find(c.grant);
  if (grant == (*org)->grants.end()) return std::unexpected(reject(Code::not_found, "S6", "grant " + c.grant + " does not exist"));
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  const auto& g = grant->second;
  // S6: a grant that reached expires_at while still active, once.
  if (g.expiry_recorded || (g.revoked_at && *g.revoked_at < g.recorded_at + projections::kSupportGrantLifetime) ||
      ctx.now < g.recorded_at + projections::kSupportGrantLifetime) {
    return std::unexpected(reject(Code::invalid_state, "S6", "grant " + c.grant + " has no expiry to record"));
  }
  Events events;
  events.push_back(event(org_stream(c.org), schema::SupportAccessExpiredT{.org = c.org, .grant = c.grant}));
  return events;
}

RuleOutcome decide_record_breach(const Context& ctx, const RecordAbuseDeadlineBreach& c) {
  if (auto denied = scheduler_only(ctx, "A5")) return std::unexpected(*denied);
  const auto* report = ctx.state.report(c.report);
  if (report == nullptr) return std::unexpected(reject(Code::not_found, "A5", "report " + c.report + " does not exist"));
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  const auto stage = static_cast<projections::AbuseStage>(c.stage);
  const auto sla = projections::abuse_sla(*report, ctx.calendar, ctx.now);
  const auto& status = sla[stage];
  // A5: once per applicable stage that passed its due undone.
  if (report->breaches_recorded.contains(c.stage) || status.done_at || status.status != projections::StageStatus::breached) {
    return std::unexpected(reject(Code::invalid_state, "A5", std::string("no breach to record for ") + projections::to_string(stage)));
  }
  Events events;
  schema::AbuseDeadlineBreachedT breached;
  breached.report = c.report;
  breached.stage = static_cast<schema::AbuseStage>(c.stage);
  breached.due = std::make_unique<schema::Instant>(status.due);
  events.push_back(event("abuse:" + c.report, std::move(breached)));
  return events;
}

}  // namespace orgledger::commands
