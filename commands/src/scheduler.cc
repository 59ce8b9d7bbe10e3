#include "orgledger/commands/scheduler.h"

#include <algorithm>
#include <future>

#include "orgledger/ledger/hash.h"
#include "orgledger/projections/abuse_sla.h"
#include "orgledger/projections/access.h"
#include "orgledger/projections/identity_orders.h"
#include "orgledger/projections/renewals.h"

namespace orgledger::commands {
namespace {

constexpr auto kLongestSleep = std::chrono::seconds(1);

// Deterministic, so that recording the same item twice is an idempotent repeat (ids are at most
// 128 characters: the item's names are hashed).
std::string item_id(std::string_view kind, std::string_view a, std::string_view b) {
  const std::string key = std::string(a) + '\0' + std::string(b);
  const auto hash = ledger::chain_hash(ledger::kZeroHash, {reinterpret_cast<const std::uint8_t*>(key.data()), key.size()});
  return "sched-" + std::string(kind) + "-" + ledger::to_hex(hash).substr(0, 40);
}

// D4: the scheduler is the server's own; no token vouches for it.
const ledger::Via kSchedulerVia{"svc:scheduler", std::nullopt};

std::vector<Command> due_items(const projections::State& state, const projections::BusinessCalendar& calendar,
                               ledger::Micros now) {
  std::vector<Command> due;
  for (const auto& [org_id, org] : state.organizations) {
    for (const auto& [grant_id, grant] : org.grants) {
      const auto expires_at = grant.recorded_at + projections::kSupportGrantLifetime;
      if (grant.expiry_recorded || (grant.revoked_at && *grant.revoked_at < expires_at) || now < expires_at) continue;
      due.push_back(Command{"svc:scheduler", item_id("S6", org_id, grant_id), "", std::nullopt,
                            ExpireSupportAccess{org_id, grant_id}, kSchedulerVia});
    }
  }
  for (const auto& [report_id, report] : state.reports) {
    const auto sla = projections::abuse_sla(report, calendar, now);
    for (std::uint8_t stage = 0; stage < 4; ++stage) {
      const auto& s = sla.stages[stage];
      if (s.status != projections::StageStatus::breached || s.done_at || report.breaches_recorded.contains(stage)) continue;
      due.push_back(Command{"svc:scheduler", item_id("A5", report_id, std::to_string(stage)), "", std::nullopt,
                            RecordAbuseDeadlineBreach{report_id, stage}, kSchedulerVia});
    }
  }
  // B2: first payment attempts due (late ones included, after downtime).
  for (const auto& [org_id, org] : state.organizations) {
    for (const auto& [product_id, product] : org.products) {
      for (const auto& owed : projections::payments_due(product, now)) {
        due.push_back(Command{"svc:scheduler", item_id("B2", org_id + "/" + product_id, std::to_string(owed.expires_at)), "",
                              std::nullopt, RecordRenewalPaymentDue{org_id, product_id, owed.expires_at}, kSchedulerVia});
      }
    }
  }
  // K4: documents still held at submitted_at + 72 h.
  for (const auto& [case_id, c] : state.cases) {
    if (c.purged || c.state != projections::CaseState::submitted ||
        projections::identity_state(c, now) != projections::CaseState::expired) continue;
    due.push_back(Command{"svc:scheduler", item_id("K4", case_id, ""), "", std::nullopt,
                          PurgeExpiredIdentityDocuments{case_id}, kSchedulerVia});
  }
  // K5: orders still blocked at blocked_at + 240 h.
  for (const auto& [order_id, order] : state.orders) {
    if (order.unblocked || order.cancellation_recorded || now < order.blocked_at + projections::kOrderBlockLifetime) continue;
    due.push_back(Command{"svc:scheduler", item_id("K5", order_id, ""), "", std::nullopt, CancelBlockedOrder{order_id},
                          kSchedulerVia});
  }
  return due;
}

}  // namespace

std::size_t Scheduler::run_once() {
  const ledger::Micros now = clock_.now();
  auto due = processor_.read([&](const projections::State& state) { return due_items(state, calendar_, now); });
  std::vector<std::future<Outcome>> answers;
  for (auto& command : due) {
    auto promise = std::make_shared<std::promise<Outcome>>();
    answers.push_back(promise->get_future());
    processor_.submit(std::move(command), [promise](Outcome outcome) { promise->set_value(std::move(outcome)); });
  }
  std::size_t recorded = 0;
  for (auto& answer : answers) {
    auto outcome = answer.get();
    if (outcome && !outcome->duplicate) ++recorded;
  }
  return recorded;
}

std::optional<ledger::Micros> Scheduler::next_due(ledger::Micros now) const {
  return processor_.read([&](const projections::State& state) {
    std::optional<ledger::Micros> next;
    auto consider = [&](ledger::Micros when) {
      if (when > now && (!next || when < *next)) next = when;
    };
    for (const auto& [org_id, org] : state.organizations) {
      for (const auto& [grant_id, grant] : org.grants) {
        if (!grant.expiry_recorded && !grant.revoked_at) consider(grant.recorded_at + projections::kSupportGrantLifetime);
      }
    }
    for (const auto& [report_id, report] : state.reports) {
      const auto sla = projections::abuse_sla(report, calendar_, now);
      for (const auto& stage : sla.stages) {
        if (!stage.done_at && stage.status != projections::StageStatus::not_applicable) consider(stage.due + 1);  // A4: t > due
      }
    }
    for (const auto& [org_id, org] : state.organizations) {
      for (const auto& [product_id, product] : org.products) {
        if (auto first = projections::first_attempt_at(product)) consider(*first);
      }
    }
    for (const auto& [case_id, c] : state.cases) {
      if (!c.purged && c.state == projections::CaseState::submitted && c.submitted_at) {
        consider(*c.submitted_at + projections::kDocumentLifetime);
      }
    }
    for (const auto& [order_id, order] : state.orders) {
      if (!order.unblocked && !order.cancellation_recorded) consider(order.blocked_at + projections::kOrderBlockLifetime);
    }
    return next;
  });
}

void Scheduler::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      run_once();
      const auto now = clock_.now();
      const auto next = next_due(now);
      lock.lock();
      auto sleep = std::chrono::duration_cast<std::chrono::microseconds>(kLongestSleep);
      if (next) sleep = std::min(sleep, std::chrono::microseconds(*next - now));
      wake_.wait_for(lock, sleep, [this] { return stopping_; });
    }
  });
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace orgledger::commands
