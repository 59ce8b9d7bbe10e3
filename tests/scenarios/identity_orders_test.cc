// K1–K5: identity verification (kCheck) and blocked orders, one scenario per rule and edge. The
// 72 h and 240 h boundaries are tried at the instant and 1 µs before.
#include "orgledger/projections/identity_orders.h"
#include "scenario.h"

using namespace orgledger;
using namespace orgledger::commands;
using orgledger::testing::kHour;
using orgledger::testing::Scenario;
using orgledger::testing::types;

namespace {

SubmitIdentityDocuments documents(const std::string& case_id) {
  return SubmitIdentityDocuments{case_id, {IdentityDocumentInput{DocumentKind::passport, PersonalInput("scan-of-passport")},
                                           IdentityDocumentInput{DocumentKind::selfie, PersonalInput("selfie-bytes")}}};
}

// acme's people, case k1 of carol opened; returns the instant of submission when `submit`.
ledger::Micros given_case(Scenario& s, bool submit) {
  s.given_acme();
  s.accept(s.when("svc:kcheck", OpenIdentityVerification{"k1", "carol", IdentityReason::disable_2fa}));
  if (!submit) return 0;
  s.clock().advance(kHour);
  const auto submitted_at = s.clock().now();
  s.accept(s.when("carol", documents("k1")), "carol");
  return submitted_at;
}

const projections::IdentityCase& case_of(const Scenario& s, const std::string& id) { return s.state().cases.at(id); }

}  // namespace

TEST_CASE("K1: a service or an agent opens a case for a registered user - reasons are a closed set") {
  Scenario s;
  s.given_acme();
  auto ok = s.when("svc:kcheck", OpenIdentityVerification{"k1", "carol", IdentityReason::forgotten_login});
  REQUIRE(ok);
  CHECK(types(*ok) == std::vector<std::string>{"IdentityVerificationOpened"});
  CHECK((*ok)[0].stream == "kcheck:k1");
  CHECK(s.when("agent:zoe", OpenIdentityVerification{"k2", "carol", IdentityReason::first_payout}));
  THEN_REJECTED(s.when("carol", OpenIdentityVerification{"k1", "carol", IdentityReason::forgotten_login}), Code::forbidden, "K1");
  THEN_REJECTED(s.when("svc:kcheck", OpenIdentityVerification{"k1", "nobody", IdentityReason::forgotten_login}), Code::not_found, "K1");
  THEN_REJECTED(s.when("svc:kcheck", OpenIdentityVerification{"k 1", "carol", IdentityReason::forgotten_login}), Code::invalid_argument, "");
  s.accept(ok);
  THEN_REJECTED(s.when("svc:kcheck", OpenIdentityVerification{"k1", "adam", IdentityReason::order_review}), Code::already_exists, "K1");
  // DOMAIN.md order: an unknown case is not_found before the actor's rights.
  THEN_REJECTED(s.when("xena", documents("k9")), Code::not_found, "K1");
  const auto& opened = case_of(s, "k1");
  CHECK(opened.state == projections::CaseState::open);
  CHECK(projections::purge_at(opened) == std::nullopt);
}

TEST_CASE("K2: the case's user or a service submits documents once, sealed, at most 4 MiB in all") {
  Scenario s;
  given_case(s, false);
  THEN_REJECTED(s.when("adam", documents("k1")), Code::forbidden, "K2");
  THEN_REJECTED(s.when("carol", SubmitIdentityDocuments{"k1", {}}), Code::invalid_argument, "");
  // 4 MiB decoded in all is the most; one byte more is invalid_argument.
  const std::string half(2u << 20, 'x');
  THEN_REJECTED(s.when("carol", SubmitIdentityDocuments{"k1", {{DocumentKind::id_card, PersonalInput(half)},
                                                               {DocumentKind::selfie, PersonalInput(half + "y")}}}),
                Code::invalid_argument, "");
  auto ok = s.when("carol", SubmitIdentityDocuments{"k1", {{DocumentKind::id_card, PersonalInput(half)},
                                                           {DocumentKind::selfie, PersonalInput(half)}}});
  REQUIRE(ok);
  // G1: the contents are sealed under kcheck:k1's key, never in clear.
  const auto& submitted = *(*ok)[0].payload.AsIdentityDocumentsSubmitted();
  REQUIRE(submitted.documents.size() == 2);
  for (const auto& document : submitted.documents) {
    REQUIRE(document->content);
    CHECK(document->content->ciphertext.size() == half.size() + 16);
    CHECK(std::string(document->content->ciphertext.begin(), document->content->ciphertext.end()).find("xxxxxxxx") ==
          std::string::npos);
  }
  CHECK(s.when("svc:kcheck", documents("k1")));  // a service may too
  s.accept(ok, "carol");
  THEN_REJECTED(s.when("carol", documents("k1")), Code::invalid_state, "K2");  // only an open case
  CHECK(case_of(s, "k1").state == projections::CaseState::submitted);
  CHECK(case_of(s, "k1").key_ids.size() == 1);
}

TEST_CASE("K3: completion within 72 h purges the documents in the same command - at 72 h it is not_active") {
  for (const ledger::Micros before_deadline : {ledger::Micros{1}, ledger::Micros{0}}) {
    Scenario s;
    const auto submitted_at = given_case(s, true);
    s.clock().set(submitted_at + 72 * kHour - before_deadline);
    auto decided = s.when("agent:zoe", CompleteIdentityVerification{"k1", VerificationOutcome::rejected});
    if (before_deadline == 1) {  // 1 µs before the instant: still completed, with the purge
      REQUIRE(decided);
      CHECK(types(*decided) == std::vector<std::string>{"IdentityVerificationCompleted", "IdentityDocumentsPurged"});
      const auto& purged = *(*decided)[1].payload.AsIdentityDocumentsPurged();
      CHECK(purged.reason == schema::PurgeReason::completed);
      CHECK(purged.key_ids == case_of(s, "k1").key_ids);
      s.accept(decided);
      const auto& done = case_of(s, "k1");
      CHECK(done.state == projections::CaseState::rejected);
      CHECK(projections::purge_at(done) == std::nullopt);  // K1: null once purged by completion
      CHECK_FALSE(projections::documents_readable(done, s.clock().now()));
      THEN_REJECTED(s.when("agent:zoe", CompleteIdentityVerification{"k1", VerificationOutcome::verified}), Code::invalid_state, "K3");
    } else {  // at the instant: expired, whether or not the scheduler has run
      THEN_REJECTED(decided, Code::not_active, "K3");
      CHECK(projections::identity_state(case_of(s, "k1"), s.clock().now()) == projections::CaseState::expired);
    }
  }
  Scenario s;
  given_case(s, false);
  THEN_REJECTED(s.when("agent:zoe", CompleteIdentityVerification{"k1", VerificationOutcome::verified}), Code::invalid_state, "K3");
  THEN_REJECTED(s.when("carol", CompleteIdentityVerification{"k1", VerificationOutcome::verified}), Code::forbidden, "K3");
  THEN_REJECTED(s.when("agent:zoe", CompleteIdentityVerification{"k9", VerificationOutcome::verified}), Code::not_found, "K1");
}

TEST_CASE("K4: at submitted_at + 72 h the documents are unreadable, before the scheduler - which then purges once") {
  Scenario s;
  const auto submitted_at = given_case(s, true);
  const auto& held = case_of(s, "k1");
  const auto deadline = submitted_at + 72 * kHour;
  CHECK(projections::purge_at(held) == deadline);
  CHECK(projections::documents_readable(held, deadline - 1));
  CHECK(projections::identity_state(held, deadline - 1) == projections::CaseState::submitted);
  CHECK_FALSE(projections::documents_readable(held, deadline));  // not yet purged on record
  CHECK(projections::identity_state(held, deadline) == projections::CaseState::expired);
  s.clock().set(deadline - 1);
  THEN_REJECTED(s.when("svc:scheduler", PurgeExpiredIdentityDocuments{"k1"}), Code::invalid_state, "K4");
  s.clock().set(deadline);
  THEN_REJECTED(s.when("svc:kcheck", PurgeExpiredIdentityDocuments{"k1"}), Code::forbidden, "K4");
  auto purged = s.when("svc:scheduler", PurgeExpiredIdentityDocuments{"k1"});
  REQUIRE(purged);
  CHECK((*purged)[0].payload.AsIdentityDocumentsPurged()->reason == schema::PurgeReason::expired);
  s.accept(purged, "svc:scheduler");
  CHECK(case_of(s, "k1").state == projections::CaseState::expired);
  CHECK(projections::purge_at(case_of(s, "k1")) == deadline);  // an expiry purge keeps its instant
  CHECK(s.state().shredded.at("kcheck:k1") == case_of(s, "k1").key_ids);
  THEN_REJECTED(s.when("svc:scheduler", PurgeExpiredIdentityDocuments{"k1"}), Code::invalid_state, "K4");  // once
}

TEST_CASE("K5: a service blocks an order of an existing organization - unblocked within 240 h, else cancelled") {
  Scenario s;
  s.given_acme();
  THEN_REJECTED(s.when("svc:billing", BlockOrder{"o1", "nowhere", "fraud check"}), Code::not_found, "");
  THEN_REJECTED(s.when("agent:zoe", BlockOrder{"o1", "acme", "fraud check"}), Code::forbidden, "K5");
  THEN_REJECTED(s.when("svc:billing", BlockOrder{"o1", "acme", ""}), Code::invalid_argument, "");
  auto blocked = s.when("svc:billing", BlockOrder{"o1", "acme", "fraud check"});
  REQUIRE(blocked);
  CHECK((*blocked)[0].stream == "order:o1");
  const auto blocked_at = s.clock().now();
  s.accept(blocked, "svc:billing");
  THEN_REJECTED(s.when("svc:billing", BlockOrder{"o1", "acme", "again"}), Code::already_exists, "K5");
  THEN_REJECTED(s.when("agent:zoe", UnblockOrder{"o9"}), Code::not_found, "K5");
  THEN_REJECTED(s.when("carol", UnblockOrder{"o1"}), Code::forbidden, "K5");
  const auto& order = s.state().orders.at("o1");
  CHECK(projections::cancel_at(order) == blocked_at + 240 * kHour);
  CHECK(projections::order_state(order, blocked_at + 240 * kHour - 1) == projections::OrderState::blocked);
  CHECK(projections::order_state(order, blocked_at + 240 * kHour) == projections::OrderState::cancelled);

  s.clock().set(blocked_at + 240 * kHour);  // at the instant: cancelled, whether or not the scheduler ran
  THEN_REJECTED(s.when("agent:zoe", UnblockOrder{"o1"}), Code::not_active, "K5");
  s.clock().set(blocked_at + 240 * kHour - 1);  // 1 µs before: still unblockable
  THEN_REJECTED(s.when("svc:scheduler", CancelBlockedOrder{"o1"}), Code::invalid_state, "K5");
  auto unblocked = s.when("agent:zoe", UnblockOrder{"o1"});
  REQUIRE(unblocked);
  s.accept(unblocked, "agent:zoe");
  CHECK(projections::order_state(s.state().orders.at("o1"), blocked_at + 300 * kHour) == projections::OrderState::unblocked);
  CHECK(projections::cancel_at(s.state().orders.at("o1")) == std::nullopt);
  s.clock().set(blocked_at + 300 * kHour);
  THEN_REJECTED(s.when("agent:zoe", UnblockOrder{"o1"}), Code::invalid_state, "K5");  // at any time
  THEN_REJECTED(s.when("svc:scheduler", CancelBlockedOrder{"o1"}), Code::invalid_state, "K5");
}

TEST_CASE("K5: the scheduler cancels an order still blocked at 240 h with a full refund, once") {
  Scenario s;
  s.given_acme();
  s.accept(s.when("svc:billing", BlockOrder{"o1", "acme", "fraud check"}), "svc:billing");
  const auto blocked_at = s.clock().now();
  s.clock().set(blocked_at + 240 * kHour);
  THEN_REJECTED(s.when("svc:billing", CancelBlockedOrder{"o1"}), Code::forbidden, "K5");
  auto cancelled = s.when("svc:scheduler", CancelBlockedOrder{"o1"});
  REQUIRE(cancelled);
  CHECK((*cancelled)[0].payload.AsOrderCancelled()->refund == schema::Refund::full);
  s.accept(cancelled, "svc:scheduler");
  CHECK(projections::order_state(s.state().orders.at("o1"), blocked_at) == projections::OrderState::cancelled);
  THEN_REJECTED(s.when("svc:scheduler", CancelBlockedOrder{"o1"}), Code::invalid_state, "K5");
  THEN_REJECTED(s.when("agent:zoe", UnblockOrder{"o1"}), Code::not_active, "K5");
}
