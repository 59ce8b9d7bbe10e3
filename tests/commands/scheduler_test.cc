// S6 and A5: the scheduler records expiries and breaches at the right instants, exactly once,
// also across restarts and after the process was down at the instant.
#include <catch2/catch.hpp>

#include "manual_clock.h"
#include "orgledger/commands/processor.h"
#include "orgledger/commands/scheduler.h"
#include "orgledger/ledger/event_codec.h"
#include "orgledger/projections/abuse_sla.h"
#include "orgledger/projections/access.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::commands;
using namespace orgledger::testing;

namespace {

struct Desk {
  TempDir dir;
  ManualClock clock{kSampleInstant};
  std::unique_ptr<ledger::Ledger> log;
  std::unique_ptr<CommandProcessor> processor;
  std::unique_ptr<Scheduler> scheduler;

  Desk() { open(); }
  void open() {
    log = ledger::Ledger::open(dir.path(), {.clock = &clock}).value();
    processor = CommandProcessor::start(*log, clock).value();
    scheduler = std::make_unique<Scheduler>(*processor, clock);
  }
  void restart() {
    scheduler.reset();
    processor.reset();
    log.reset();
    open();
  }
  Outcome run(std::string actor, Body body) { return processor->submit(Command{std::move(actor), "", "", std::nullopt, std::move(body)}); }
  std::vector<std::string> last_types(std::size_t n) {
    std::vector<std::string> out;
    const auto head = log->head().position;
    const auto events = log->read(head + 1 - n, n).value();  // a named vector: the loop must not outlive it
    for (const auto& e : events) out.emplace_back(e.type_name());
    return out;
  }
  void grant_support() {
    REQUIRE(run("svc:signup", RegisterUser{"carol", "c@example.ch"}));
    REQUIRE(run("carol", CreateOrganization{"acme", "Acme"}));
    REQUIRE(run("carol", RegisterProduct{"acme", "p-mail", "mail_service", "Mail", {}}));
    REQUIRE(run("carol", GrantSupportAccess{"acme", "g1", SupportScope::mail, std::nullopt, "T-1"}));
  }
};

}  // namespace

TEST_CASE("S6: the expiry is recorded at expires_at, once, by svc:scheduler") {
  Desk desk;
  desk.grant_support();
  const auto granted_at = desk.processor->read([](const projections::State& s) { return s.organizations.at("acme").grants.at("g1").recorded_at; });
  CHECK(desk.scheduler->next_due(desk.clock.now()) == granted_at + projections::kSupportGrantLifetime);
  desk.clock.set(granted_at + projections::kSupportGrantLifetime - 1);
  CHECK(desk.scheduler->run_once() == 0);
  desk.clock.set(granted_at + projections::kSupportGrantLifetime);
  CHECK(desk.scheduler->run_once() == 1);
  const auto last = desk.log->read(desk.log->head().position, 1).value();
  CHECK(last[0].type_name() == "SupportAccessExpired");
  CHECK(last[0].actor() == "svc:scheduler");
  CHECK(last[0].recorded_at() == granted_at + projections::kSupportGrantLifetime);
  CHECK(desk.scheduler->run_once() == 0);
  const auto head = desk.log->head().position;
  desk.restart();
  CHECK(desk.scheduler->run_once() == 0);  // across restarts too
  CHECK(desk.log->head().position == head);
}

TEST_CASE("S6: a revoked grant has no expiry to record - only the scheduler may record one") {
  Desk desk;
  desk.grant_support();
  REQUIRE(desk.run("carol", RevokeSupportAccess{"acme", "g1"}));
  desk.clock.advance(200 * kHour);
  CHECK(desk.scheduler->run_once() == 0);
  auto forged = desk.run("carol", ExpireSupportAccess{"acme", "g1"});
  REQUIRE_FALSE(forged);
  CHECK(forged.error().rejection->code == Code::forbidden);
  CHECK(forged.error().rejection->rule == "S6");
}

TEST_CASE("A5: one breach per applicable stage that passes its due undone") {
  Desk desk;
  const auto received = desk.clock.now();
  REQUIRE(desk.run("svc:abuse-desk", FileAbuseReport{.report = "r1", .received_at = received, .category = "spam"}));
  desk.clock.set(received + 24 * kHour);
  CHECK(desk.scheduler->run_once() == 0);  // at due: not yet breached
  desk.clock.set(received + 24 * kHour + 1);
  CHECK(desk.scheduler->run_once() == 1);
  CHECK(desk.last_types(1) == std::vector<std::string>{"AbuseDeadlineBreached"});
  const auto recorded = desk.log->read(desk.log->head().position, 1).value();  // keeps the bytes alive
  const auto* breach = recorded[0].envelope().payload_as_AbuseDeadlineBreached();
  CHECK(breach->stage() == schema::AbuseStage::acknowledgment);
  CHECK(breach->due()->us() == received + 24 * kHour);
  CHECK(desk.scheduler->run_once() == 0);
  // Acknowledged late: no second acknowledgment breach; the assessment's comes at its due.
  REQUIRE(desk.run("svc:abuse-desk", AcknowledgeAbuseReport{"r1"}));
  const auto report = desk.processor->read([](const projections::State& s) { return s.reports.at("r1"); });
  const auto assessment_due = projections::abuse_sla(report, projections::BusinessCalendar::geneva(), received)[projections::AbuseStage::assessment].due;
  desk.clock.set(assessment_due + 1);
  CHECK(desk.scheduler->run_once() == 1);
  // Investigation and corrective actions wait for the assessment to say whether they apply.
  desk.clock.advance(100 * 24 * kHour);
  CHECK(desk.scheduler->run_once() == 0);
}

TEST_CASE("A5 and S6 catch up after the process was down at the instants") {
  Desk desk;
  desk.grant_support();
  REQUIRE(desk.run("svc:abuse-desk", FileAbuseReport{.report = "r1", .received_at = desk.clock.now(), .category = "spam"}));
  const auto head = desk.log->head().position;
  desk.scheduler.reset();
  desk.processor.reset();
  desk.log.reset();
  desk.clock.advance(40 * 24 * kHour);  // nobody ran for 40 days
  desk.open();
  CHECK(desk.scheduler->run_once() == 3);  // the grant's expiry, acknowledgment and assessment breaches
  CHECK(desk.log->head().position == head + 3);
  CHECK(desk.scheduler->run_once() == 0);
}

TEST_CASE("B2 scheduler: RenewalPaymentDue at expires_at - 336 h exactly, once, and caught up after downtime") {
  Desk desk;
  REQUIRE(desk.run("svc:signup", RegisterUser{"carol", "c@example.ch"}));
  REQUIRE(desk.run("carol", CreateOrganization{"acme", "Acme"}));
  const auto expires_at = desk.clock.now() + 1000 * kHour;
  REQUIRE(desk.run("svc:billing", RegisterProduct{"acme", "p-host", "hosting", "Host", expires_at}));
  REQUIRE(desk.run("carol", EnableAutoRenewal{"acme", "p-host", "visa"}));
  const auto due = expires_at - 336 * kHour;
  CHECK(desk.scheduler->next_due(desk.clock.now()) == due);
  desk.clock.set(due - 1);
  CHECK(desk.scheduler->run_once() == 0);
  desk.clock.set(due);
  CHECK(desk.scheduler->run_once() == 1);
  CHECK(desk.last_types(1) == std::vector<std::string>{"RenewalPaymentDue"});
  CHECK(desk.scheduler->run_once() == 0);
  // Renewed while the process is down past the next instant: recorded at the next start, once.
  const auto renewed_to = expires_at + 1000 * kHour;
  REQUIRE(desk.run("svc:billing", RenewProduct{"acme", "p-host", renewed_to, std::nullopt}));
  desk.clock.set(renewed_to - 336 * kHour + 50 * kHour);
  desk.restart();
  CHECK(desk.scheduler->run_once() == 1);
  CHECK(desk.scheduler->run_once() == 0);
  // Disabled before the next instant: nothing more, ever.
  const auto third = renewed_to + 1000 * kHour;
  REQUIRE(desk.run("svc:billing", RenewProduct{"acme", "p-host", third, std::nullopt}));
  REQUIRE(desk.run("carol", DisableAutoRenewal{"acme", "p-host"}));
  desk.clock.set(third);
  CHECK(desk.scheduler->run_once() == 0);
}
