#include "orgledger/commands/deadline_index.h"

#include "orgledger/ledger/hash.h"
#include "orgledger/projections/abuse_sla.h"
#include "orgledger/projections/access.h"
#include "orgledger/projections/identity_orders.h"
#include "orgledger/projections/renewals.h"

namespace orgledger::commands {
namespace {

using ledger::Micros;

// Deterministic, so that recording the same item twice is an idempotent repeat (ids are at most
// 128 characters: the item's names are hashed).
std::string item_id(std::string_view kind, std::string_view a, std::string_view b) {
  const std::string key = std::string(a) + '\0' + std::string(b);
  const auto hash = ledger::chain_hash(ledger::kZeroHash, {reinterpret_cast<const std::uint8_t*>(key.data()), key.size()});
  return "sched-" + std::string(kind) + "-" + ledger::to_hex(hash).substr(0, 40);
}

// D4: the scheduler is the server's own; no token vouches for it.
const ledger::Via kSchedulerVia{"svc:scheduler", std::nullopt};

Command scheduled(std::string id, Body body) { return Command{"svc:scheduler", std::move(id), "", std::nullopt, std::move(body), kSchedulerVia}; }

// Each entity's items due at `now` (appended to `out`), and the instants at which its items fall
// due (`at`, told each one; those already past or on record included).

bool grant_expires(const projections::SupportGrant& grant) {
  return !grant.expiry_recorded && !(grant.revoked_at && *grant.revoked_at < projections::expires_at(grant));
}

void organization_items(const std::string& org_id, const projections::Organization& org, Micros now, std::vector<Command>& out) {
  for (const auto& [grant_id, grant] : org.grants) {  // S6
    if (grant_expires(grant) && now >= projections::expires_at(grant))
      out.push_back(scheduled(item_id("S6", org_id, grant_id), ExpireSupportAccess{org_id, grant_id}));
  }
  for (const auto& [product_id, product] : org.products) {  // B2, late ones included (after downtime)
    for (const auto& owed : projections::payments_due(product, now)) {
      out.push_back(scheduled(item_id("B2", org_id + "/" + product_id, std::to_string(owed.expires_at)),
                              RecordRenewalPaymentDue{org_id, product_id, owed.expires_at}));
    }
  }
}

template <typename At>
void organization_instants(const projections::Organization& org, At&& at) {
  for (const auto& [grant_id, grant] : org.grants) {
    if (grant_expires(grant)) at(projections::expires_at(grant));
  }
  for (const auto& [product_id, product] : org.products) {
    if (auto first = projections::first_attempt_at(product)) at(*first);
  }
}

void report_items(const std::string& report_id, const projections::AbuseReport& report,
                  const projections::BusinessCalendar& calendar, Micros now, std::vector<Command>& out) {
  const auto sla = projections::abuse_sla(report, calendar, now);  // A5
  for (std::uint8_t stage = 0; stage < 4; ++stage) {
    const auto& s = sla.stages[stage];
    if (s.status != projections::StageStatus::breached || s.done_at || report.breaches_recorded.contains(stage)) continue;
    out.push_back(scheduled(item_id("A5", report_id, std::to_string(stage)), RecordAbuseDeadlineBreach{report_id, stage}));
  }
}

template <typename At>
void report_instants(const projections::AbuseReport& report, const projections::BusinessCalendar& calendar, Micros now, At&& at) {
  const auto sla = projections::abuse_sla(report, calendar, now);
  for (std::uint8_t stage = 0; stage < 4; ++stage) {
    const auto& s = sla.stages[stage];
    // A4: breached once t > due.
    if (!s.done_at && s.status != projections::StageStatus::not_applicable && !report.breaches_recorded.contains(stage))
      at(s.due + 1);
  }
}

bool documents_held(const projections::IdentityCase& c) {
  return !c.purged && c.state == projections::CaseState::submitted && c.submitted_at;
}

void case_items(const std::string& case_id, const projections::IdentityCase& c, Micros now, std::vector<Command>& out) {
  // K4: documents still held at submitted_at + 72 h.
  if (documents_held(c) && projections::identity_state(c, now) == projections::CaseState::expired)
    out.push_back(scheduled(item_id("K4", case_id, ""), PurgeExpiredIdentityDocuments{case_id}));
}

bool still_blocked(const projections::Order& order) { return !order.unblocked && !order.cancellation_recorded; }

void order_items(const std::string& order_id, const projections::Order& order, Micros now, std::vector<Command>& out) {
  // K5: orders still blocked at blocked_at + 240 h.
  if (still_blocked(order) && now >= order.blocked_at + projections::kOrderBlockLifetime)
    out.push_back(scheduled(item_id("K5", order_id, ""), CancelBlockedOrder{order_id}));
}

}  // namespace

void DeadlineIndex::update(std::shared_ptr<const projections::State> state, Micros now) {
  const std::shared_ptr<const projections::State> before = std::exchange(state_, std::move(state));
  const projections::State empty;
  const projections::State& from = before ? *before : empty;
  state_->organizations.for_each_difference(from.organizations, [&](std::string_view id) { reindex(Kind::organization, id, now); });
  state_->reports.for_each_difference(from.reports, [&](std::string_view id) { reindex(Kind::report, id, now); });
  state_->cases.for_each_difference(from.cases, [&](std::string_view id) { reindex(Kind::identity_case, id, now); });
  state_->orders.for_each_difference(from.orders, [&](std::string_view id) { reindex(Kind::order, id, now); });
}

void DeadlineIndex::reindex(Kind kind, std::string_view id, Micros now) {
  Key key{kind, std::string(id)};
  if (auto it = deadlines_.find(key); it != deadlines_.end()) {
    by_time_.erase({it->second, kind, key.second});
    deadlines_.erase(it);
  }
  pending_.erase(key);
  // Pending while it has items due now; filed under its first instant still to come, if any.
  std::vector<Command> items;
  std::optional<Micros> next;
  auto at = [&](Micros when) {
    if (when > now && (!next || when < *next)) next = when;
  };
  const projections::State& state = *state_;
  switch (kind) {
    case Kind::organization:
      if (const auto* org = state.organizations.lookup(id)) {
        organization_items(key.second, *org, now, items);
        organization_instants(*org, at);
      }
      break;
    case Kind::report:
      if (const auto* report = state.reports.lookup(id)) {
        report_items(key.second, *report, calendar_, now, items);
        report_instants(*report, calendar_, now, at);
      }
      break;
    case Kind::identity_case:
      if (const auto* c = state.cases.lookup(id)) {
        case_items(key.second, *c, now, items);
        if (documents_held(*c)) at(*c->submitted_at + projections::kDocumentLifetime);
      }
      break;
    case Kind::order:
      if (const auto* order = state.orders.lookup(id)) {
        order_items(key.second, *order, now, items);
        if (still_blocked(*order)) at(order->blocked_at + projections::kOrderBlockLifetime);
      }
      break;
  }
  if (!items.empty()) pending_.insert(key);
  if (!next) return;
  by_time_.emplace(*next, kind, key.second);
  deadlines_.emplace(std::move(key), *next);
}

std::vector<Command> DeadlineIndex::due(Micros now) {
  std::vector<Command> out;
  std::set<Key> looked_at = pending_;
  for (auto it = by_time_.begin(); it != by_time_.end() && std::get<0>(*it) <= now; ++it) {
    looked_at.emplace(std::get<1>(*it), std::get<2>(*it));
  }
  const projections::State& state = *state_;
  for (const auto& [kind, id] : looked_at) {
    switch (kind) {
      case Kind::organization: organization_items(id, state.organizations.at(id), now, out); break;
      case Kind::report: report_items(id, state.reports.at(id), calendar_, now, out); break;
      case Kind::identity_case: case_items(id, state.cases.at(id), now, out); break;
      case Kind::order: order_items(id, state.orders.at(id), now, out); break;
    }
  }
  // What has items stays pending until the state records them; each moves to its next instant.
  for (const auto& [kind, id] : looked_at) reindex(kind, id, now);
  return out;
}

std::optional<Micros> DeadlineIndex::next_after(Micros now) const {
  // The first entry after every one at `now` or before (the smallest kind and id sort first).
  const auto it = by_time_.lower_bound({now + 1, Kind::organization, std::string()});
  if (it == by_time_.end()) return std::nullopt;
  return std::get<0>(*it);
}

std::vector<Command> due_by_scan(const projections::State& state, const projections::BusinessCalendar& calendar, Micros now) {
  std::vector<Command> out;
  for (const auto& [id, org] : state.organizations) organization_items(id, org, now, out);
  for (const auto& [id, report] : state.reports) report_items(id, report, calendar, now, out);
  for (const auto& [id, c] : state.cases) case_items(id, c, now, out);
  for (const auto& [id, order] : state.orders) order_items(id, order, now, out);
  return out;
}

}  // namespace orgledger::commands
