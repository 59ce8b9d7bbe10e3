// A2 deadlines and A4 statuses, at the boundary instants.
#include <catch2/catch.hpp>

#include "orgledger/api/time_format.h"
#include "instant_text.h"
#include "orgledger/projections/abuse_sla.h"

using namespace orgledger::projections;
using orgledger::api::format_instant;
using orgledger::testing::at;

namespace {

// Received Fri 2026-11-20 17:00 in Zurich (16:00Z): the A7 example.
AbuseReport received() {
  AbuseReport report;
  report.received_at = at("2026-11-20T16:00:00Z");
  return report;
}

AbuseSla sla(const AbuseReport& report, Micros when) { return abuse_sla(report, BusinessCalendar::geneva(), when); }

}  // namespace

TEST_CASE("A2: every stage shows its due from filing on") {
  const auto s = sla(received(), at("2026-11-20T16:00:00Z"));
  CHECK(format_instant(s[AbuseStage::acknowledgment].due) == "2026-11-21T16:00:00.000000Z");  // 24 h, calendar time
  CHECK(format_instant(s[AbuseStage::assessment].due) == "2026-11-27T16:00:00.000000Z");      // 5 business days
  CHECK(s[AbuseStage::investigation].due == BusinessCalendar::geneva().add_business_days(at("2026-11-20T16:00:00Z"), 30));
  CHECK(s[AbuseStage::corrective_actions].due == BusinessCalendar::geneva().add_business_days(at("2026-11-20T16:00:00Z"), 60));
  CHECK(s[AbuseStage::acknowledgment].status == StageStatus::pending);
  CHECK(s[AbuseStage::investigation].status == StageStatus::pending);  // until the assessment decides
  CHECK(s[AbuseStage::corrective_actions].status == StageStatus::pending);
}

TEST_CASE("A4: at due still not breached - one microsecond after, breached") {
  const auto report = received();
  const Micros due = sla(report, report.received_at)[AbuseStage::acknowledgment].due;
  CHECK(sla(report, due)[AbuseStage::acknowledgment].status == StageStatus::at_risk);
  CHECK(sla(report, due + 1)[AbuseStage::acknowledgment].status == StageStatus::breached);
}

TEST_CASE("A4: at_risk when less than 25 % of the window is left") {
  const auto report = received();
  const Micros due = sla(report, report.received_at)[AbuseStage::acknowledgment].due;
  const Micros quarter = (due - report.received_at) / 4;  // 6 h
  CHECK(sla(report, due - quarter)[AbuseStage::acknowledgment].status == StageStatus::pending);  // exactly 25 % left
  CHECK(sla(report, due - quarter + 1)[AbuseStage::acknowledgment].status == StageStatus::at_risk);
}

TEST_CASE("A4: done at or before due is met, after due breached — whenever asked") {
  auto report = received();
  const Micros due = sla(report, report.received_at)[AbuseStage::acknowledgment].due;
  report.acknowledged = AbuseStageDone{due, 7};
  CHECK(sla(report, due + 1'000'000'000)[AbuseStage::acknowledgment].status == StageStatus::met);
  CHECK(sla(report, due + 1'000'000'000)[AbuseStage::acknowledgment].done_at == due);
  report.acknowledged = AbuseStageDone{due + 1, 7};
  CHECK(sla(report, due + 1)[AbuseStage::acknowledgment].status == StageStatus::breached);
  // Asked at an instant before it was done, the stage was not done then (D3).
  CHECK(sla(report, due)[AbuseStage::acknowledgment].status == StageStatus::at_risk);
  CHECK_FALSE(sla(report, due)[AbuseStage::acknowledgment].done_at.has_value());
}

TEST_CASE("A4: the assessment decides which later stages apply") {
  auto report = received();
  report.acknowledged = AbuseStageDone{report.received_at + 1000, 2};
  report.assessed = AbuseStageDone{report.received_at + 2000, 3};
  const Micros later = report.received_at + 3000;
  SECTION("inadmissible: both later stages are not_applicable") {
    report.admissible = false;
    const auto s = sla(report, later);
    CHECK(s[AbuseStage::investigation].status == StageStatus::not_applicable);
    CHECK(s[AbuseStage::corrective_actions].status == StageStatus::not_applicable);
    CHECK(s[AbuseStage::assessment].status == StageStatus::met);
  }
  SECTION("admissible without investigation") {
    report.admissible = true;
    const auto s = sla(report, later);
    CHECK(s[AbuseStage::investigation].status == StageStatus::not_applicable);
    CHECK(s[AbuseStage::corrective_actions].status == StageStatus::pending);
  }
  SECTION("admissible with investigation, past its due undone") {
    report.admissible = true;
    report.investigation_required = true;
    const auto s = sla(report, sla(report, later)[AbuseStage::investigation].due + 1);
    CHECK(s[AbuseStage::investigation].status == StageStatus::breached);
    CHECK(s.any(StageStatus::breached));
  }
}
