// G1–G2 in the rules: personal data reaches decide sealed; ForgetSubject's subjects, order of
// answers, twice, unknown, and the keys it names.
#include "scenario.h"

using namespace orgledger;
using namespace orgledger::commands;
using orgledger::testing::Scenario;
using orgledger::testing::types;

TEST_CASE("G1: decide refuses personal data that was not sealed first - sealed, it is accepted") {
  Scenario s;
  s.given_acme();
  commands::Command clear{"svc:signup", "cmd", "", std::nullopt, RegisterUser{"dana", "dana@example.ch"}};
  THEN_REJECTED(commands::decide(s.state(), clear, s.clock().now()), Code::invalid_argument, "G1");
  auto ok = s.when("svc:signup", RegisterUser{"dana", "dana@example.ch"});
  REQUIRE(ok);
  const auto& registered = *(*ok)[0].payload.AsUserRegistered();
  CHECK(registered.login.empty());
  REQUIRE(registered.login_sealed);
  const auto& box = *registered.login_sealed;
  auto opened = s.vault().open("user:dana", vault::Sealed{box.key_id, std::string(box.nonce.begin(), box.nonce.end()),
                                                          std::string(box.ciphertext.begin(), box.ciphertext.end())});
  REQUIRE(opened);
  CHECK(*opened == std::optional<std::string>("dana@example.ch"));
}

TEST_CASE("G2: a service forgets a known subject once, in its own stream, naming its keys") {
  Scenario s;
  s.given_acme();
  s.accept(s.when("svc:signup", RegisterUser{"dana", "dana@example.ch"}), "svc:signup");
  const auto key = s.state().users.at("dana").login.sealed->key_id;
  THEN_REJECTED(s.when("svc:privacy", ForgetSubject{"user:nobody"}), Code::not_found, "G2");
  THEN_REJECTED(s.when("svc:privacy", ForgetSubject{"org:acme"}), Code::invalid_argument, "");
  THEN_REJECTED(s.when("svc:privacy", ForgetSubject{"user:"}), Code::invalid_argument, "");
  // The subject takes the organization's place: not_found comes before forbidden.
  THEN_REJECTED(s.when("carol", ForgetSubject{"user:nobody"}), Code::not_found, "G2");
  THEN_REJECTED(s.when("carol", ForgetSubject{"user:dana"}), Code::forbidden, "G2");
  THEN_REJECTED(s.when("svc:privacy", ForgetSubject{"user:dana"}, 7), Code::version_conflict, "D1");
  auto forgotten = s.when("svc:privacy", ForgetSubject{"user:dana"}, 1);
  REQUIRE(forgotten);
  CHECK(types(*forgotten) == std::vector<std::string>{"SubjectForgotten"});
  CHECK((*forgotten)[0].stream == "user:dana");
  CHECK((*forgotten)[0].payload.AsSubjectForgotten()->key_ids == std::vector<std::string>{key});
  s.accept(forgotten, "svc:privacy");
  THEN_REJECTED(s.when("svc:privacy", ForgetSubject{"user:dana"}), Code::not_active, "G2");  // twice
  // A forgotten user keeps their id, roles and history.
  CHECK(s.state().users.contains("dana"));
  CHECK(s.state().users.at("dana").forgotten);
  CHECK(s.state().shredded.at("user:dana") == std::vector<std::string>{key});
  // G4: a user registered before G1 (login in clear) is a known subject without a key.
  auto legacy = s.when("svc:privacy", ForgetSubject{"user:carol"});
  REQUIRE(legacy);
  CHECK((*legacy)[0].payload.AsSubjectForgotten()->key_ids.empty());
}

TEST_CASE("G2: an anonymous report and a case without documents are subjects with no key to destroy") {
  Scenario s;
  s.given_acme();
  const auto now = s.clock().now();
  s.accept(s.when("svc:abuse-desk", FileAbuseReport{.report = "r1", .received_at = now, .category = "spam"}));
  s.accept(s.when("svc:abuse-desk", FileAbuseReport{.report = "r2", .received_at = now, .category = "spam",
                                                     .reporter = {.anonymous = false, .email = "ida@example.org"}}));
  s.accept(s.when("svc:kcheck", OpenIdentityVerification{"k1", "carol", IdentityReason::account_unlock}));
  auto anonymous = s.when("svc:privacy", ForgetSubject{"abuse:r1"});
  REQUIRE(anonymous);
  CHECK((*anonymous)[0].payload.AsSubjectForgotten()->key_ids.empty());
  auto reporter = s.when("svc:privacy", ForgetSubject{"abuse:r2"});
  REQUIRE(reporter);
  CHECK((*reporter)[0].payload.AsSubjectForgotten()->key_ids ==
        std::vector<std::string>{s.state().reports.at("r2").reporter.sealed->key_id});
  auto empty_case = s.when("svc:privacy", ForgetSubject{"kcheck:k1"});
  REQUIRE(empty_case);
  CHECK((*empty_case)[0].stream == "kcheck:k1");
  s.accept(empty_case);
  // A forgotten case takes no documents any more.
  THEN_REJECTED(s.when("carol", SubmitIdentityDocuments{"k1", {{DocumentKind::passport, PersonalInput("scan")}}}),
                Code::invalid_state, "G2");
  THEN_REJECTED(s.when("svc:privacy", ForgetSubject{"kcheck:k9"}), Code::not_found, "G2");
}
