// C1–C4: partners and clients, one scenario per rule and edge, the order of answers included; C2's
// manager access through check() with its reason, and its end when the manager leaves the partner.
#include "orgledger/projections/access.h"
#include "orgledger/projections/partners.h"
#include "orgledger/projections/reverse_lookup.h"
#include "orgledger/replay/access_history.h"
#include "orgledger/replay/diff.h"
#include "scenario.h"

using namespace orgledger;
using namespace orgledger::commands;
using orgledger::testing::Scenario;
using orgledger::testing::types;

namespace {

// acme (the client, carol legal representative); reseller "resell" in the partner programme with
// rita (legal representative), ravi (collaborator) and rex (external).
void given_partner(Scenario& s) {
  s.given_acme();
  for (const char* user : {"rita", "ravi", "rex"}) {
    s.given("user:" + std::string(user), testing::clear_user_registered(user, std::string(user) + "@resell.ch"));
  }
  s.given("org:resell", schema::OrganizationCreatedT{.org = "resell", .name = "Resell"}, "rita");
  s.given("org:resell", schema::MemberAddedT{.org = "resell", .user = "rita", .role = schema::Role::legal_representative}, "rita");
  s.given("org:resell", schema::MemberAddedT{.org = "resell", .user = "ravi", .role = schema::Role::collaborator}, "rita");
  s.given("org:resell", schema::MemberAddedT{.org = "resell", .user = "rex", .role = schema::Role::external}, "rita");
  s.accept(s.when("svc:partners", JoinPartnerProgram{"resell"}), "svc:partners");
}

EstablishPartnerRelation mail_only(bool billing = false) {
  return EstablishPartnerRelation{"resell", "acme", PartnerScope{false, {"p-mail"}}, billing};
}

projections::CheckResult check(Scenario& s, const std::string& user, projections::Action action,
                               std::optional<std::string> product = std::nullopt) {
  return projections::check(s.state(), projections::CheckRequest{"acme", user, action, std::move(product), {}, {}},
                            s.clock().now());
}

}  // namespace

TEST_CASE("C4: the back office joins and leaves the programmes - never both, twice is already_exists, leaving unjoined not_active") {
  Scenario s;
  s.given_acme();
  THEN_REJECTED(s.when("carol", JoinPartnerProgram{"acme"}), Code::forbidden, "C4");
  THEN_REJECTED(s.when("svc:partners", JoinPartnerProgram{"nowhere"}), Code::not_found, "");
  THEN_REJECTED(s.when("svc:partners", LeavePartnerProgram{"acme"}), Code::not_active, "C4");
  s.accept(s.when("svc:partners", JoinAffiliateProgram{"acme"}), "svc:partners");
  THEN_REJECTED(s.when("svc:partners", JoinPartnerProgram{"acme"}), Code::conflict, "C4");
  THEN_REJECTED(s.when("svc:partners", JoinAffiliateProgram{"acme"}), Code::already_exists, "C4");
  s.accept(s.when("svc:partners", LeaveAffiliateProgram{"acme"}), "svc:partners");
  s.accept(s.when("svc:partners", JoinPartnerProgram{"acme"}), "svc:partners");
  THEN_REJECTED(s.when("svc:partners", JoinAffiliateProgram{"acme"}), Code::conflict, "C4");
  THEN_REJECTED(s.when("svc:partners", JoinPartnerProgram{"acme"}), Code::already_exists, "C4");
}

TEST_CASE("C1: the client's administrators establish a relation - the order of answers of DOMAIN.md") {
  Scenario s;
  given_partner(s);
  THEN_REJECTED(s.when("carol", EstablishPartnerRelation{"acme", "acme", {}, false}), Code::invalid_argument, "");
  THEN_REJECTED(s.when("carol", EstablishPartnerRelation{"resell", "acme", PartnerScope{false, {}}, false}), Code::invalid_argument, "");
  // The client first, then the partner, both before forbidden.
  THEN_REJECTED(s.when("xena", EstablishPartnerRelation{"nowhere", "nobody", {}, false}), Code::not_found, "");
  THEN_REJECTED(s.when("xena", EstablishPartnerRelation{"nowhere", "acme", {}, false}), Code::not_found, "");
  THEN_REJECTED(s.when("cleo", mail_only()), Code::forbidden, "C1");
  THEN_REJECTED(s.when("rita", mail_only()), Code::forbidden, "C1");  // the partner's side may not
  THEN_REJECTED(s.when("carol", EstablishPartnerRelation{"resell", "acme", PartnerScope{false, {"p-nothing"}}, false}),
                Code::not_found, "C1");
  s.accept(s.when("svc:partners", LeavePartnerProgram{"resell"}), "svc:partners");
  THEN_REJECTED(s.when("carol", mail_only()), Code::invalid_state, "C4");
  s.accept(s.when("svc:partners", JoinPartnerProgram{"resell"}), "svc:partners");
  auto ok = s.when("adam", mail_only());
  REQUIRE(ok);
  CHECK(types(*ok) == std::vector<std::string>{"PartnerRelationEstablished"});
  CHECK((*ok)[0].stream == "org:acme");
  s.accept(ok, "adam");
  THEN_REJECTED(s.when("carol", mail_only()), Code::already_exists, "C1");
  CHECK(s.state().partner_clients.at("resell").contains("acme"));
}

TEST_CASE("C2: assigned managers reach the relation's scope with a partner reason - billing only with billing, nothing else") {
  Scenario s;
  given_partner(s);
  const auto established = s.accept(s.when("carol", mail_only(true)), "carol");
  THEN_REJECTED(s.when("carol", AssignPartnerManager{"resell", "acme", "ravi"}), Code::forbidden, "C2");
  THEN_REJECTED(s.when("rita", AssignPartnerManager{"resell", "acme", "rex"}), Code::not_found, "C2");   // external
  THEN_REJECTED(s.when("rita", AssignPartnerManager{"resell", "acme", "carol"}), Code::not_found, "C2");  // not a member
  THEN_REJECTED(s.when("rita", UnassignPartnerManager{"resell", "acme", "ravi"}), Code::not_found, "C2");
  // Only assigned users: the partner's own legal representative gets nothing by default.
  CHECK_FALSE(check(s, "rita", projections::Action::product_access, "p-mail").allowed);
  const auto assigned = s.accept(s.when("rita", AssignPartnerManager{"resell", "acme", "ravi"}), "rita");
  THEN_REJECTED(s.when("rita", AssignPartnerManager{"resell", "acme", "ravi"}), Code::already_exists, "C2");
  const auto mail = check(s, "ravi", projections::Action::product_access, "p-mail");
  REQUIRE(mail.allowed);
  REQUIRE(mail.because.size() == 1);
  CHECK(mail.because[0].kind == projections::Reason::Kind::partner);
  CHECK(mail.because[0].partner_org == "resell");
  CHECK(mail.because[0].since_position == std::max(established, assigned));
  CHECK(projections::allows(s.state(), projections::CheckRequest{"acme", "ravi", projections::Action::product_access, "p-mail", {}, {}},
                            s.clock().now()));
  CHECK_FALSE(check(s, "ravi", projections::Action::product_access, "p-drive").allowed);  // out of scope
  CHECK(check(s, "ravi", projections::Action::org_billing).allowed);                    // billing: yes
  CHECK_FALSE(check(s, "ravi", projections::Action::org_manage_members).allowed);       // nothing else
  CHECK_FALSE(check(s, "ravi", projections::Action::org_wide_share).allowed);
  // B1: billing rights through the relation: a manager may enable auto-renewal (the product has no
  // expiry: the refusal comes after the rights).
  THEN_REJECTED(s.when("ravi", EnableAutoRenewal{"acme", "p-mail", "visa"}), Code::invalid_state, "B1");
  auto unassigned = s.when("rita", UnassignPartnerManager{"resell", "acme", "ravi"});
  REQUIRE(unassigned);
  s.accept(unassigned, "rita");
  CHECK_FALSE(check(s, "ravi", projections::Action::product_access, "p-mail").allowed);
}

TEST_CASE("C2: full covers later products - without billing, no org.billing") {
  Scenario s;
  given_partner(s);
  s.accept(s.when("carol", EstablishPartnerRelation{"resell", "acme", PartnerScope{}, false}), "carol");
  s.accept(s.when("rita", AssignPartnerManager{"resell", "acme", "rita"}), "rita");
  schema::ProductRegisteredT later;
  later.org = "acme";
  later.product = "p-later";
  later.kind = "kchat";
  s.given("org:acme", std::move(later), "svc:billing");
  CHECK(check(s, "rita", projections::Action::product_access, "p-later").allowed);
  CHECK(check(s, "rita", projections::Action::product_access, "p-drive").allowed);
  CHECK_FALSE(check(s, "rita", projections::Action::org_billing).allowed);
  THEN_REJECTED(s.when("rita", EnableAutoRenewal{"acme", "p-mail", "visa"}), Code::forbidden, "B1");  // no billing
}

TEST_CASE("C2: a manager who leaves the partner, is removed or made external loses every assignment in the same batch") {
  for (int way = 0; way < 4; ++way) {
    Scenario s;
    given_partner(s);
    s.accept(s.when("carol", mail_only()), "carol");
    s.accept(s.when("rita", AssignPartnerManager{"resell", "acme", "ravi"}), "rita");
    std::expected<Events, Rejection> departure;
    std::string actor = "rita";
    if (way == 0) departure = s.when("rita", RemoveMember{"resell", "ravi"});
    if (way == 1) departure = s.when(actor = "ravi", LeaveOrganization{"resell"});
    if (way == 2) departure = s.when("rita", ChangeMemberRole{"resell", "ravi", Role::external});
    if (way == 3) {
      // A legal representative handing over and leaving.
      s.given("org:resell", schema::MemberRoleChangedT{.org = "resell", .user = "ravi", .role = schema::Role::legal_representative}, "rita");
      s.accept(s.when("rita", AssignPartnerManager{"resell", "acme", "rita"}), "rita");
      departure = s.when("rita", HandoverLegalRepresentative{"resell", "rita", "ravi", HandoverThen::remove});
    }
    INFO("way " << way);
    REQUIRE(departure);
    const auto& events = *departure;
    const auto unassign = std::find_if(events.begin(), events.end(), [](const NewEvent& e) {
      return e.payload.type == schema::Event::PartnerManagerUnassigned;
    });
    REQUIRE(unassign != events.end());
    CHECK(unassign->stream == "org:acme");
    CHECK(unassign->payload.AsPartnerManagerUnassigned()->reason == "left_partner");
    const auto position = s.accept(departure, actor);
    const std::string gone = way == 3 ? "rita" : "ravi";
    CHECK_FALSE(check(s, gone, projections::Action::product_access, "p-mail").allowed);
    CHECK(position > 0);
  }
}

TEST_CASE("C3: either side's administrators end a relation - every manager's access ends there, then not_active") {
  Scenario s;
  given_partner(s);
  THEN_REJECTED(s.when("carol", EndPartnerRelation{"resell", "acme"}), Code::not_found, "C3");
  s.accept(s.when("carol", mail_only()), "carol");
  s.accept(s.when("rita", AssignPartnerManager{"resell", "acme", "ravi"}), "rita");
  THEN_REJECTED(s.when("cleo", EndPartnerRelation{"resell", "acme"}), Code::forbidden, "C3");
  CHECK(s.when("carol", EndPartnerRelation{"resell", "acme"}));
  s.accept(s.when("rita", EndPartnerRelation{"resell", "acme"}), "rita");
  CHECK_FALSE(check(s, "ravi", projections::Action::product_access, "p-mail").allowed);
  THEN_REJECTED(s.when("carol", EndPartnerRelation{"resell", "acme"}), Code::not_active, "C3");
  THEN_REJECTED(s.when("rita", AssignPartnerManager{"resell", "acme", "ravi"}), Code::not_active, "C2");
  // A new relation of the same pair may follow.
  CHECK(s.when("carol", mail_only()));
}

TEST_CASE("C4: leaving the partner programme ends every relation of the partner in the same batch") {
  Scenario s;
  given_partner(s);
  s.accept(s.when("carol", mail_only()), "carol");
  s.given("org:globex", schema::OrganizationCreatedT{.org = "globex", .name = "Globex"}, "xena");
  s.given("org:globex", schema::MemberAddedT{.org = "globex", .user = "xena", .role = schema::Role::legal_representative}, "xena");
  s.accept(s.when("xena", EstablishPartnerRelation{"resell", "globex", PartnerScope{}, false}), "xena");
  auto left = s.when("svc:partners", LeavePartnerProgram{"resell"});
  REQUIRE(left);
  CHECK(types(*left) == std::vector<std::string>{"PartnerProgramLeft", "PartnerRelationEnded", "PartnerRelationEnded"});
  s.accept(left, "svc:partners");
  CHECK(projections::active_relation(s.state().organizations.at("acme"), "resell") == nullptr);
  CHECK(projections::active_relation(s.state().organizations.at("globex"), "resell") == nullptr);
}

TEST_CASE("C2/C5: who-can, what-can and access history count a partner manager - the interval ends where they leave the partner") {
  Scenario s;
  given_partner(s);
  s.accept(s.when("carol", mail_only()), "carol");
  const auto assigned = s.accept(s.when("rita", AssignPartnerManager{"resell", "acme", "ravi"}), "rita");
  const auto now = s.clock().now();
  const auto holders = projections::product_access_holders(s.state(), "acme", "p-mail", now);
  REQUIRE(holders.contains("ravi"));
  CHECK(holders.at("ravi")[0].kind == projections::Reason::Kind::partner);
  const auto who = projections::who_can(s.state(), "acme", projections::Action::product_access, "p-mail", now);
  CHECK(who.contains("ravi"));
  const auto billing = projections::who_can(s.state(), "acme", projections::Action::org_billing, std::nullopt, now);
  CHECK_FALSE(billing.contains("ravi"));  // no billing in this relation
  const auto what = projections::what_can(s.state(), "acme", "ravi", now);
  REQUIRE(what.size() == 1);
  CHECK(what[0].product == "p-mail");
  const projections::State before_removal = s.state();
  // Removed from the partner by R1: the client's access history closes the interval there.
  const auto removed = s.accept(s.when("rita", RemoveMember{"resell", "ravi"}), "rita");
  auto history = replay::access_history(s.ledger(), "acme", "p-mail", std::nullopt, std::nullopt, s.clock().now());
  REQUIRE(history);
  const auto interval = std::find_if(history->intervals.begin(), history->intervals.end(),
                                     [](const replay::AccessInterval& i) { return i.user == "ravi"; });
  REQUIRE(interval != history->intervals.end());
  CHECK(interval->via.kind == projections::Reason::Kind::partner);
  CHECK(interval->from_position == assigned);
  CHECK(interval->to_position == removed);
  // diff: the manager's access is lost between the two points.
  const auto changes = replay::diff(before_removal, now, s.state(), s.clock().now(), std::string("acme"));
  CHECK(std::any_of(changes.begin(), changes.end(), [](const replay::Change& c) {
    return c.change == "access_lost" && c.subject == "ravi" && c.object == "p-mail";
  }));
}
