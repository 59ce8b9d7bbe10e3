// S1–S5 and A1–A3, one scenario per rule and edge.
#include "orgledger/projections/reporter_contact.h"
#include "scenario.h"

using namespace orgledger;
using namespace orgledger::commands;
using orgledger::testing::kHour;
using orgledger::testing::Scenario;
using orgledger::testing::types;

namespace {

void given_grant(Scenario& s, const std::string& grant, schema::SupportScope scope, std::string resource,
                 const std::string& by = "carol") {
  s.given("org:acme", schema::SupportAccessGrantedT{.org = "acme", .grant = grant, .scope = scope,
                                                    .resource = std::move(resource), .ticket = "T-1"}, by);
}

}  // namespace

TEST_CASE("S1: the actor grants only what they can access, per scope and resource") {
  Scenario s;
  s.given_acme();
  auto ok = s.when("carol", GrantSupportAccess{"acme", "g1", SupportScope::mail, std::nullopt, "T-1"});
  REQUIRE(ok);
  CHECK(types(*ok) == std::vector<std::string>{"SupportAccessGranted"});
  CHECK((*ok)[0].payload.AsSupportAccessGranted()->resource.empty());
  // cleo has no product: nothing to grant.
  THEN_REJECTED(s.when("cleo", GrantSupportAccess{"acme", "g2", SupportScope::mail, std::nullopt, "T-1"}), Code::forbidden, "S1");
  THEN_REJECTED(s.when("cleo", GrantSupportAccess{"acme", "g2", SupportScope::mail, "p-mail/inbox", "T-1"}), Code::forbidden, "S1");
  s.given("org:acme", schema::ProductAccessGrantedT{.org = "acme", .user = "cleo", .product = "p-mail"});
  CHECK(s.when("cleo", GrantSupportAccess{"acme", "g2", SupportScope::mail, "p-mail/inbox", "T-1"}));
  CHECK(s.when("cleo", GrantSupportAccess{"acme", "g2", SupportScope::mail, std::nullopt, "T-1"}));
  // Scopes are separate: p-mail is no kdrive.
  THEN_REJECTED(s.when("cleo", GrantSupportAccess{"acme", "g3", SupportScope::kdrive, std::nullopt, "T-1"}), Code::forbidden, "S1");
  THEN_REJECTED(s.when("carol", GrantSupportAccess{"acme", "g3", SupportScope::kdrive, "p-mail/x", "T-1"}), Code::not_found, "S1");
  THEN_REJECTED(s.when("xena", GrantSupportAccess{"acme", "g3", SupportScope::mail, std::nullopt, "T-1"}), Code::forbidden, "S1");
  THEN_REJECTED(s.when("carol", GrantSupportAccess{"acme", "g3", SupportScope::mail, "p-mail/", "T-1"}), Code::invalid_argument, "");
  given_grant(s, "g1", schema::SupportScope::mail, "");
  THEN_REJECTED(s.when("carol", GrantSupportAccess{"acme", "g1", SupportScope::mail, std::nullopt, "T-1"}), Code::already_exists, "S1");
}

TEST_CASE("S3: revoked by the granting user or an administrator - not twice, not after expiry") {
  Scenario s;
  s.given_acme();
  s.given("org:acme", schema::ProductAccessGrantedT{.org = "acme", .user = "cleo", .product = "p-mail"});
  given_grant(s, "g1", schema::SupportScope::mail, "", "cleo");
  THEN_REJECTED(s.when("ezra", RevokeSupportAccess{"acme", "g1"}), Code::forbidden, "S3");
  THEN_REJECTED(s.when("xena", RevokeSupportAccess{"acme", "g1"}), Code::forbidden, "S3");
  THEN_REJECTED(s.when("cleo", RevokeSupportAccess{"acme", "g9"}), Code::not_found, "S3");
  CHECK(s.when("cleo", RevokeSupportAccess{"acme", "g1"}));
  CHECK(s.when("adam", RevokeSupportAccess{"acme", "g1"}));
  SECTION("already revoked") {
    s.given("org:acme", schema::SupportAccessRevokedT{.org = "acme", .grant = "g1"}, "cleo");
    THEN_REJECTED(s.when("adam", RevokeSupportAccess{"acme", "g1"}), Code::not_active, "S3");
  }
  SECTION("S2: expired at exactly 168 h, even before any expiry event") {
    s.clock().advance(168 * kHour - 1);
    CHECK(s.when("adam", RevokeSupportAccess{"acme", "g1"}));
    s.clock().advance(1);
    THEN_REJECTED(s.when("adam", RevokeSupportAccess{"acme", "g1"}), Code::not_active, "S3");
  }
}

TEST_CASE("S4: tickets are assigned by a service or an agent, to an agent") {
  Scenario s;
  auto ok = s.when("svc:support-desk", AssignSupportTicket{"T-1", "agent:zoe"});
  REQUIRE(ok);
  CHECK((*ok)[0].stream == "ticket:T-1");
  CHECK(s.when("agent:max", AssignSupportTicket{"T-1", "agent:zoe"}));
  THEN_REJECTED(s.when("carol", AssignSupportTicket{"T-1", "agent:zoe"}), Code::forbidden, "S4");
  THEN_REJECTED(s.when("svc:support-desk", AssignSupportTicket{"T-1", "zoe"}), Code::invalid_argument, "");
}

TEST_CASE("S5: an access is recorded only when S4 allows it - refused otherwise") {
  Scenario s;
  s.given_acme();
  given_grant(s, "g1", schema::SupportScope::mail, "p-mail/inbox-42");
  THEN_REJECTED(s.when("agent:zoe", RecordSupportAccess{"acme", "g1", "p-mail/inbox-42"}), Code::forbidden, "S5");
  s.given("ticket:T-1", schema::SupportTicketAssignedT{.ticket = "T-1", .agent = "agent:zoe"});
  CHECK(types(s.when("agent:zoe", RecordSupportAccess{"acme", "g1", "p-mail/inbox-42/msg-7"}).value()) ==
        std::vector<std::string>{"SupportAccessRecorded"});
  THEN_REJECTED(s.when("agent:zoe", RecordSupportAccess{"acme", "g1", "p-mail/inbox-43"}), Code::forbidden, "S5");
  THEN_REJECTED(s.when("agent:max", RecordSupportAccess{"acme", "g1", "p-mail/inbox-42"}), Code::forbidden, "S5");
  THEN_REJECTED(s.when("carol", RecordSupportAccess{"acme", "g1", "p-mail/inbox-42"}), Code::forbidden, "S5");
  THEN_REJECTED(s.when("agent:zoe", RecordSupportAccess{"acme", "g9", "p-mail/inbox-42"}), Code::not_found, "S5");
  s.clock().advance(168 * kHour);
  THEN_REJECTED(s.when("agent:zoe", RecordSupportAccess{"acme", "g1", "p-mail/inbox-42"}), Code::forbidden, "S5");
}

TEST_CASE("A1: reports are filed by a service or an agent - received_at at most 5 minutes ahead") {
  Scenario s;
  const auto now = s.clock().now();
  FileAbuseReport filed{.report = "r1", .received_at = now + 5 * 60'000'000LL, .category = "spam",
                        .reporter = {.anonymous = false, .name = "Ida", .email = "ida@example.org"}, .target = "www.example.com"};
  auto ok = s.when("svc:abuse-desk", filed);
  REQUIRE(ok);
  CHECK((*ok)[0].stream == "abuse:r1");
  // G1: the contact details are sealed under abuse:r1's key; nothing of them in clear.
  const auto* sealed_reporter = (*ok)[0].payload.AsAbuseReportFiled()->reporter.get();
  CHECK(sealed_reporter->email.empty());
  CHECK(sealed_reporter->name.empty());
  REQUIRE(sealed_reporter->sealed);
  const auto& box = *sealed_reporter->sealed;
  auto opened = s.vault().open("abuse:r1", vault::Sealed{box.key_id, std::string(box.nonce.begin(), box.nonce.end()),
                                                         std::string(box.ciphertext.begin(), box.ciphertext.end())});
  REQUIRE(opened);
  REQUIRE(*opened);
  CHECK(projections::decode_reporter_contact(**opened) == projections::ReporterContact{"Ida", "ida@example.org", ""});
  filed.received_at += 1;
  THEN_REJECTED(s.when("svc:abuse-desk", filed), Code::invalid_argument, "");
  THEN_REJECTED(s.when("carol", FileAbuseReport{.report = "r2", .received_at = now, .category = "spam"}), Code::forbidden, "A1");
  auto anonymous = s.when("agent:zoe", FileAbuseReport{.report = "r2", .received_at = now, .category = "phishing"});
  REQUIRE(anonymous);
  const auto* reporter = (*anonymous)[0].payload.AsAbuseReportFiled()->reporter.get();
  CHECK(reporter->anonymous);
  CHECK(reporter->email.empty());  // A6: anonymous reports store none
  schema::AbuseReportFiledT given;
  given.report = "r2";
  given.received_at = std::make_unique<schema::Instant>(now);
  s.given("abuse:r2", std::move(given), "svc:abuse-desk");
  THEN_REJECTED(s.when("agent:zoe", FileAbuseReport{.report = "r2", .received_at = now, .category = "spam"}), Code::already_exists, "A1");
}

TEST_CASE("A3: stages in order, each at most once, by a service or an agent") {
  Scenario s;
  schema::AbuseReportFiledT filed;
  filed.report = "r1";
  filed.received_at = std::make_unique<schema::Instant>(s.clock().now());
  s.given("abuse:r1", std::move(filed), "svc:abuse-desk");
  THEN_REJECTED(s.when("carol", AcknowledgeAbuseReport{"r1"}), Code::forbidden, "A3");
  THEN_REJECTED(s.when("svc:abuse-desk", AcknowledgeAbuseReport{"r9"}), Code::not_found, "A3");
  THEN_REJECTED(s.when("svc:abuse-desk", AssessAbuseReport{"r1", true, AbusePriority::high, true}), Code::invalid_state, "A3");
  CHECK(s.when("svc:abuse-desk", AcknowledgeAbuseReport{"r1"}));
  s.given("abuse:r1", schema::AbuseReportAcknowledgedT{.report = "r1"}, "svc:abuse-desk");
  THEN_REJECTED(s.when("svc:abuse-desk", AcknowledgeAbuseReport{"r1"}), Code::invalid_state, "A3");
  THEN_REJECTED(s.when("svc:abuse-desk", CompleteAbuseInvestigation{"r1", "found"}), Code::invalid_state, "A3");

  SECTION("admissible, investigation required: investigation before corrective actions") {
    s.given("abuse:r1", schema::AbuseReportAssessedT{.report = "r1", .admissible = true, .priority = schema::AbusePriority::high,
                                                     .investigation_required = true}, "svc:abuse-desk");
    THEN_REJECTED(s.when("agent:zoe", CompleteCorrectiveActions{"r1", "suspended"}), Code::invalid_state, "A3");
    CHECK(s.when("agent:zoe", CompleteAbuseInvestigation{"r1", "kit found"}));
    s.given("abuse:r1", schema::AbuseInvestigationCompletedT{.report = "r1", .findings = "kit found"}, "agent:zoe");
    THEN_REJECTED(s.when("agent:zoe", CompleteAbuseInvestigation{"r1", "again"}), Code::invalid_state, "A3");
    CHECK(s.when("agent:zoe", CompleteCorrectiveActions{"r1", "suspended"}));
    CHECK(s.when("agent:zoe", CloseAbuseReport{"r1", "not technically possible"}));
    s.given("abuse:r1", schema::AbuseReportClosedT{.report = "r1", .reason = "x"}, "agent:zoe");
    THEN_REJECTED(s.when("agent:zoe", CompleteCorrectiveActions{"r1", "suspended"}), Code::invalid_state, "A3");
  }
  SECTION("inadmissible: the report is closed, later stages do not apply") {
    s.given("abuse:r1", schema::AbuseReportAssessedT{.report = "r1", .admissible = false}, "svc:abuse-desk");
    THEN_REJECTED(s.when("agent:zoe", CompleteAbuseInvestigation{"r1", "x"}), Code::invalid_state, "A3");
    THEN_REJECTED(s.when("agent:zoe", CompleteCorrectiveActions{"r1", "x"}), Code::invalid_state, "A3");
    THEN_REJECTED(s.when("agent:zoe", CloseAbuseReport{"r1", "x"}), Code::invalid_state, "A3");
    THEN_REJECTED(s.when("agent:zoe", AssessAbuseReport{"r1", true, AbusePriority::low, false}), Code::invalid_state, "A3");
  }
}
