// U1, O1, O2 and R1–R9, one scenario per rule and edge.
#include "legacy_events.h"
#include "scenario.h"

using namespace orgledger;
using namespace orgledger::commands;
using orgledger::testing::Scenario;
using orgledger::testing::types;

TEST_CASE("U1: the sign-up service registers a user - again is already_exists - a person may not") {
  Scenario s;
  auto ok = s.when("svc:signup", RegisterUser{"dana", "dana@example.ch"});
  REQUIRE(ok);
  CHECK(types(*ok) == std::vector<std::string>{"UserRegistered"});
  CHECK(ok->front().stream == "user:dana");
  s.given("user:dana", testing::clear_user_registered("dana", "dana@example.ch"));
  THEN_REJECTED(s.when("svc:signup", RegisterUser{"dana", "dana@example.ch"}), Code::already_exists, "U1");
  THEN_REJECTED(s.when("dana", RegisterUser{"eve", "eve@example.ch"}), Code::forbidden, "U1");
}

TEST_CASE("O1: a registered user creates an organization and becomes its legal representative") {
  Scenario s;
  s.given_acme();
  auto ok = s.when("cleo", CreateOrganization{"beta", "Beta Sàrl"});
  REQUIRE(ok);
  CHECK(types(*ok) == std::vector<std::string>{"OrganizationCreated", "MemberAdded"});
  const auto* added = (*ok)[1].payload.AsMemberAdded();
  CHECK(added->user == "cleo");
  CHECK(added->role == schema::Role::legal_representative);
  THEN_REJECTED(s.when("cleo", CreateOrganization{"acme", "Again"}), Code::already_exists, "O1");
  THEN_REJECTED(s.when("stranger", CreateOrganization{"gamma", "G"}), Code::forbidden, "O1");
}

TEST_CASE("O2: only a legal representative edits the organization's details") {
  Scenario s;
  s.given_acme();
  REQUIRE(s.when("carol", UpdateOrganizationDetails{"acme", "Acme SA"}));
  THEN_REJECTED(s.when("adam", UpdateOrganizationDetails{"acme", "Acme SA"}), Code::forbidden, "O2");
  THEN_REJECTED(s.when("carol", UpdateOrganizationDetails{"nope", "X"}), Code::not_found, "");
}

TEST_CASE("R1: adding, removing and changing members needs an administrator or legal representative") {
  Scenario s;
  s.given_acme();
  REQUIRE(s.when("adam", AddMember{.org = "acme", .user = "xena", .role = Role::collaborator}));
  THEN_REJECTED(s.when("cleo", AddMember{.org = "acme", .user = "xena"}), Code::forbidden, "R1");
  THEN_REJECTED(s.when("cleo", RemoveMember{"acme", "ezra"}), Code::forbidden, "R1");
  THEN_REJECTED(s.when("ezra", ChangeMemberRole{"acme", "cleo", Role::administrator}), Code::forbidden, "R1");
  THEN_REJECTED(s.when("cleo", SetBillingRights{"acme", "ezra", true}), Code::forbidden, "R1");
  // Acting on a user who is not a member: not_found — but only after the actor's rights.
  THEN_REJECTED(s.when("adam", RemoveMember{"acme", "xena"}), Code::not_found, "R1");
  THEN_REJECTED(s.when("cleo", RemoveMember{"acme", "xena"}), Code::forbidden, "R1");
}

TEST_CASE("R2: only a legal representative assigns the legal_representative role") {
  Scenario s;
  s.given_acme();
  THEN_REJECTED(s.when("adam", ChangeMemberRole{"acme", "cleo", Role::legal_representative}), Code::forbidden, "R2");
  THEN_REJECTED(s.when("adam", AddMember{.org = "acme", .user = "xena", .role = Role::legal_representative}), Code::forbidden, "R2");
  auto ok = s.when("carol", ChangeMemberRole{"acme", "cleo", Role::legal_representative});
  REQUIRE(ok);
  CHECK(types(*ok) == std::vector<std::string>{"MemberRoleChanged", "NotificationQueued"});
}

TEST_CASE("R3: the last legal representative can be neither removed, nor demoted, nor leave") {
  Scenario s;
  s.given_acme();
  THEN_REJECTED(s.when("carol", RemoveMember{"acme", "carol"}), Code::last_legal_representative, "R3");
  THEN_REJECTED(s.when("carol", ChangeMemberRole{"acme", "carol", Role::administrator}), Code::last_legal_representative, "R3");
  THEN_REJECTED(s.when("carol", LeaveOrganization{"acme"}), Code::last_legal_representative, "R3");
  SECTION("with a second legal representative, each of them may go") {
    s.given("org:acme", schema::MemberRoleChangedT{.org = "acme", .user = "adam", .role = schema::Role::legal_representative});
    CHECK(s.when("carol", LeaveOrganization{"acme"}));
    CHECK(s.when("adam", RemoveMember{"acme", "carol"}));
    CHECK(s.when("carol", ChangeMemberRole{"acme", "carol", Role::administrator}));
  }
}

TEST_CASE("R4: only a legal representative changes or removes a legal representative") {
  Scenario s;
  s.given_acme();
  s.given("org:acme", schema::MemberRoleChangedT{.org = "acme", .user = "cleo", .role = schema::Role::legal_representative});
  THEN_REJECTED(s.when("adam", RemoveMember{"acme", "cleo"}), Code::forbidden, "R4");
  THEN_REJECTED(s.when("adam", ChangeMemberRole{"acme", "cleo", Role::collaborator}), Code::forbidden, "R4");
  REQUIRE(s.when("carol", ChangeMemberRole{"acme", "cleo", Role::collaborator}));
}

TEST_CASE("R5: the handover is one atomic batch, by a legal representative, to a member") {
  Scenario s;
  s.given_acme();
  auto ok = s.when("carol", HandoverLegalRepresentative{"acme", "carol", "adam", HandoverThen::remove});
  REQUIRE(ok);
  CHECK(types(*ok) == std::vector<std::string>{"LegalRepresentativeHandedOver", "NotificationQueued", "NotificationQueued"});
  THEN_REJECTED(s.when("adam", HandoverLegalRepresentative{"acme", "carol", "adam", HandoverThen::remove}), Code::forbidden, "R5");
  THEN_REJECTED(s.when("carol", HandoverLegalRepresentative{"acme", "carol", "xena", HandoverThen::remove}), Code::not_found, "R5");
  THEN_REJECTED(s.when("carol", HandoverLegalRepresentative{"acme", "cleo", "adam", HandoverThen::remove}), Code::invalid_state, "R5");
  THEN_REJECTED(s.when("carol", HandoverLegalRepresentative{"acme", "carol", "carol", HandoverThen::remove}), Code::invalid_argument, "");
}

TEST_CASE("R6: any member may leave by themselves - a non-member cannot") {
  Scenario s;
  s.given_acme();
  auto ok = s.when("ezra", LeaveOrganization{"acme"});
  REQUIRE(ok);
  CHECK(types(*ok) == std::vector<std::string>{"OrganizationLeft", "NotificationQueued"});
  CHECK((*ok)[0].payload.AsOrganizationLeft()->user == "ezra");
  THEN_REJECTED(s.when("xena", LeaveOrganization{"acme"}), Code::not_found, "R6");
}

TEST_CASE("R7: the user must be registered and not yet a member - role, products and preferences in one event") {
  Scenario s;
  s.given_acme();
  auto ok = s.when("carol", AddMember{.org = "acme", .user = "xena", .role = Role::collaborator, .products = {"p-mail"},
                                      .billing = true, .contact_prefs = {ContactPref::technical}});
  REQUIRE(ok);
  REQUIRE(types(*ok) == std::vector<std::string>{"MemberAdded"});
  const auto* added = (*ok)[0].payload.AsMemberAdded();
  CHECK(added->products == std::vector<std::string>{"p-mail"});
  CHECK(added->billing == true);
  CHECK(added->contact_prefs == std::vector<schema::ContactPref>{schema::ContactPref::technical});
  THEN_REJECTED(s.when("carol", AddMember{.org = "acme", .user = "nobody"}), Code::not_found, "R7");
  THEN_REJECTED(s.when("carol", AddMember{.org = "acme", .user = "cleo"}), Code::already_exists, "R7");
  THEN_REJECTED(s.when("carol", AddMember{.org = "acme", .user = "xena", .products = {"p-none"}}), Code::not_found, "P2");
}

TEST_CASE("R8: members change their own contact preferences - administrators anyone's") {
  Scenario s;
  s.given_acme();
  CHECK(s.when("cleo", SetContactPreferences{"acme", "cleo", {ContactPref::marketing}}));
  CHECK(s.when("adam", SetContactPreferences{"acme", "cleo", {}}));
  THEN_REJECTED(s.when("cleo", SetContactPreferences{"acme", "ezra", {}}), Code::forbidden, "R8");
  THEN_REJECTED(s.when("xena", SetContactPreferences{"acme", "xena", {}}), Code::forbidden, "R8");
}

TEST_CASE("R9: every role change and every removal queues a notification to the affected user") {
  Scenario s;
  s.given_acme();
  auto changed = s.when("carol", ChangeMemberRole{"acme", "cleo", Role::administrator});
  REQUIRE(changed);
  REQUIRE(changed->size() == 2);
  const auto* notice = (*changed)[1].payload.AsNotificationQueued();
  CHECK(notice->user == "cleo");
  CHECK(notice->kind == "role_changed");
  CHECK((*changed)[1].stream == "org:acme");
  auto removed = s.when("carol", RemoveMember{"acme", "ezra"});
  REQUIRE(removed);
  CHECK((*removed)[1].payload.AsNotificationQueued()->user == "ezra");
  THEN_REJECTED(s.when("carol", ChangeMemberRole{"acme", "cleo", Role::collaborator}), Code::invalid_state, "R1");
}

TEST_CASE("DOMAIN order: invalid_argument, then not_found of the organization, then forbidden") {
  Scenario s;
  s.given_acme();
  THEN_REJECTED(s.when("cleo", RemoveMember{"no such org!", "x"}), Code::invalid_argument, "");
  THEN_REJECTED(s.when("cleo", RemoveMember{"nope", "x"}), Code::not_found, "");
  THEN_REJECTED(s.when("cleo", RemoveMember{"acme", "x"}), Code::forbidden, "R1");
  // version_conflict after not_found of the others, before the state rules.
  THEN_REJECTED(s.when("carol", RemoveMember{"acme", "carol"}, 3), Code::version_conflict, "D1");
  THEN_REJECTED(s.when("carol", RemoveMember{"acme", "xena"}, 3), Code::not_found, "R1");
  const auto version = s.state().stream_versions.at("org:acme");
  THEN_REJECTED(s.when("carol", RemoveMember{"acme", "carol"}, version), Code::last_legal_representative, "R3");
}

TEST_CASE("validation: ids of 1-128 characters of [A-Za-z0-9._:@-]") {
  Scenario s;
  s.given_acme();
  THEN_REJECTED(s.when("carol", CreateOrganization{"", "Empty"}), Code::invalid_argument, "");
  THEN_REJECTED(s.when("carol", CreateOrganization{std::string(129, 'a'), "Long"}), Code::invalid_argument, "");
  THEN_REJECTED(s.when("carol", CreateOrganization{"a b", "Space"}), Code::invalid_argument, "");
  THEN_REJECTED(s.when("carol", CreateOrganization{"ümlaut", "Unicode"}), Code::invalid_argument, "");
  THEN_REJECTED(s.when("carol", CreateOrganization{"ok-id", ""}), Code::invalid_argument, "");
  CHECK(s.when("carol", CreateOrganization{std::string(128, 'a'), "Longest"}));
  CHECK(s.when("carol", CreateOrganization{"A-z.0_9:@", "All characters"}));
  THEN_REJECTED(s.when("", CreateOrganization{"x", "No actor"}), Code::invalid_argument, "");
  THEN_REJECTED(s.when("svc:signup", RegisterUser{"dana", "not-an-email"}), Code::invalid_argument, "");
}
