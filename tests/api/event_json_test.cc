// An event as API.md shows it: envelope fields, `data` under the command's field names,
// instants in RFC 3339, enums by name, A6's reporter redaction.
#include <catch2/catch.hpp>

#include <nlohmann/json.hpp>

#include "manual_clock.h"
#include "orgledger/api/event_json.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/ledger.h"
#include "sample_events.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

std::vector<ledger::RecordedEvent> recorded_samples(const TempDir& dir, ManualClock& clock) {
  auto log = ledger::Ledger::open(dir.path(), {.clock = &clock}).value();
  const auto samples = one_of_each_event();
  for (std::size_t i = 0; i < samples.size(); ++i) REQUIRE(log->append(golden_command(i, samples[i])));
  return log->read(1, samples.size()).value();
}

const ledger::RecordedEvent& of_type(const std::vector<ledger::RecordedEvent>& events, std::string_view type) {
  for (const auto& event : events) {
    if (event.type_name() == type) return event;
  }
  FAIL("no " << type);
  throw;
}

}  // namespace

TEST_CASE("event JSON: the envelope fields of API.md") {
  TempDir dir;
  ManualClock clock(kSampleInstant);
  const auto events = recorded_samples(dir, clock);
  const auto json = api::event_to_json(events[3]);
  CHECK(json["position"] == 4);
  CHECK(json["stream"] == "org:acme");
  CHECK(json["stream_version"] == 3);
  CHECK(json["recorded_at"] == "2026-11-22T09:14:03.250117Z");
  CHECK(json["type"] == "MemberAdded");
  CHECK(json["actor"] == "svc:golden");
  CHECK(json["command_id"] == "golden-3");
  CHECK(json["correlation_id"] == "corr-3");
  CHECK(json["prev_hash"] == ledger::to_hex(events[2].hash()));
  CHECK(json["hash"] == ledger::to_hex(events[3].hash()));
  CHECK(json["data"] == nlohmann::ordered_json::parse(
                            R"({"org":"acme","user":"dan","role":"collaborator","products":["p-mail","p-drive"],)"
                            R"("billing":false,"contact_prefs":["technical","legal"]})"));
}

TEST_CASE("event JSON: instants, enums, absent optional fields") {
  TempDir dir;
  ManualClock clock(kSampleInstant);
  const auto events = recorded_samples(dir, clock);
  CHECK(api::event_to_json(of_type(events, "ProductRegistered"))["data"]["expires_at"] ==
        "2026-11-22T09:14:03.250117Z");
  const auto breached = api::event_to_json(of_type(events, "AbuseDeadlineBreached"))["data"];
  CHECK(breached["stage"] == "assessment");
  CHECK(breached["due"] == "2026-11-22T09:14:03.250118Z");
  CHECK(api::event_to_json(of_type(events, "LegalRepresentativeHandedOver"))["data"]["then"] == "remove");
  CHECK(api::event_to_json(of_type(events, "SupportAccessGranted"))["data"]["scope"] == "kdrive");

  auto log = ledger::Ledger::open(dir.sub("second"), {.clock = &clock}).value();
  ledger::CommandAppend cmd;
  cmd.command_id = "c";
  cmd.actor = "carol";
  ledger::add_event(cmd, "org:acme", schema::SupportAccessGrantedT{.org = "acme", .grant = "g", .ticket = "T"});
  ledger::add_event(cmd, "org:acme", schema::MemberAddedT{.org = "acme", .user = "u"});
  REQUIRE(log->append(std::move(cmd)));
  auto plain = log->read(1, 2).value();
  const auto grant = api::event_to_json(plain[0])["data"];
  CHECK(grant["resource"].is_null());  // API.md: "resource": null
  CHECK(grant["scope"] == "mail");
  const auto member = api::event_to_json(plain[1])["data"];
  CHECK(member["billing"].is_null());  // not given: the role's default applies
  CHECK(member["products"] == nlohmann::ordered_json::array());
  CHECK_FALSE(api::event_to_json(plain[1]).contains("correlation_id"));
}

TEST_CASE("event JSON: A6 reporter contact details only when revealed, anonymous always") {
  TempDir dir;
  ManualClock clock(kSampleInstant);
  const auto events = recorded_samples(dir, clock);
  const auto& filed = of_type(events, "AbuseReportFiled");
  CHECK(api::event_to_json(filed)["data"]["reporter"] == "redacted");
  const auto revealed = api::event_to_json(filed, api::PersonalView{.reporters = true})["data"];
  CHECK(revealed["reporter"]["email"] == "ida@example.org");
  CHECK(revealed["received_at"] == "2026-11-22T09:13:03.250117Z");

  auto log = ledger::Ledger::open(dir.sub("anon"), {.clock = &clock}).value();
  ledger::CommandAppend cmd;
  cmd.command_id = "c";
  cmd.actor = "svc:abuse-desk";
  auto anonymous = std::make_unique<schema::ReporterT>();
  anonymous->anonymous = true;
  schema::AbuseReportFiledT anonymous_report;
  anonymous_report.report = "r9";
  anonymous_report.reporter = std::move(anonymous);
  ledger::add_event(cmd, "abuse:r9", std::move(anonymous_report));
  REQUIRE(log->append(std::move(cmd)));
  const auto event = log->read(1, 1).value()[0];
  CHECK(api::event_to_json(event, api::PersonalView{.reporters = true})["data"]["reporter"] == "anonymous");
  CHECK(api::event_to_json(event)["data"]["received_at"].is_null());
}
