// The permission check over folded state: the Roles table, P2, T1–T3, S1–S4 — given events,
// then the check's answer and its reasons (with the positions that gave them).
#include <catch2/catch.hpp>

#include "legacy_events.h"
#include "orgledger/projections/access.h"
#include "state_builder.h"

using namespace orgledger;
using namespace orgledger::projections;
using orgledger::testing::StateBuilder;
namespace fb = orgledger::schema;

namespace {

// acme: carol legal representative, adam administrator, cleo collaborator, ezra external;
// products p-mail (mail_service) and p-drive (kdrive).
struct Acme {
  StateBuilder given;
  Position carol_added = 0, adam_added = 0, cleo_added = 0;

  Acme() {
    given.given("org:acme", fb::OrganizationCreatedT{.org = "acme", .name = "Acme"}, "carol");
    carol_added = given.given("org:acme", fb::MemberAddedT{.org = "acme", .user = "carol", .role = fb::Role::legal_representative});
    adam_added = given.given("org:acme", fb::MemberAddedT{.org = "acme", .user = "adam", .role = fb::Role::administrator});
    cleo_added = given.given("org:acme", fb::MemberAddedT{.org = "acme", .user = "cleo", .role = fb::Role::collaborator});
    given.given("org:acme", fb::MemberAddedT{.org = "acme", .user = "ezra", .role = fb::Role::external});
    product("p-mail", "mail_service");
    product("p-drive", "kdrive");
  }
  void product(const std::string& id, const std::string& kind) {
    fb::ProductRegisteredT registered;
    registered.org = "acme";
    registered.product = id;
    registered.kind = kind;
    given.given("org:acme", std::move(registered));
  }
  CheckResult check(const std::string& user, Action action, std::optional<std::string> product = std::nullopt) const {
    return projections::check(given.state(), CheckRequest{"acme", user, action, std::move(product), {}, {}}, given.state().recorded_at);
  }
};

}  // namespace

TEST_CASE("Roles table: each capability by role") {
  Acme acme;
  struct Row {
    Action action;
    bool legal, admin, collaborator, external;
  };
  const Row table[] = {
      {Action::org_billing, true, true, false, false},  // billing flag: default yes for administrators only
      {Action::org_manage_members, true, true, false, false},
      {Action::org_manage_teams, true, true, false, false},
      {Action::org_assign_legal_representative, true, false, false, false},
      {Action::org_edit_details, true, false, false, false},
      {Action::org_wide_share, true, true, true, false},
  };
  for (const auto& row : table) {
    INFO(to_string(row.action));
    CHECK(acme.check("carol", row.action).allowed == row.legal);
    CHECK(acme.check("adam", row.action).allowed == row.admin);
    CHECK(acme.check("cleo", row.action).allowed == row.collaborator);
    CHECK(acme.check("ezra", row.action).allowed == row.external);
  }
  CHECK_FALSE(acme.check("nobody", Action::org_wide_share).allowed);
  CHECK_FALSE(acme.check("nobody", Action::org_wide_share).missing.empty());
}

TEST_CASE("Roles table: all products for legal representatives and administrators, with the role as reason") {
  Acme acme;
  const auto carol = acme.check("carol", Action::product_access, "p-mail");
  REQUIRE(carol.allowed);
  REQUIRE(carol.because.size() == 1);
  CHECK(carol.because[0].kind == Reason::Kind::role);
  CHECK(carol.because[0].role == Role::legal_representative);
  CHECK(carol.because[0].since_position == acme.carol_added);
  CHECK(acme.check("adam", Action::product_access, "p-drive").allowed);
  CHECK_FALSE(acme.check("cleo", Action::product_access, "p-mail").allowed);
  CHECK_FALSE(acme.check("cleo", Action::product_access, "p-mail").missing.empty());
  CHECK_FALSE(acme.check("carol", Action::product_access, "p-none").allowed);  // no such product
}

TEST_CASE("Roles table: billing follows the flag for everyone but legal representatives") {
  Acme acme;
  acme.given.given("org:acme", fb::BillingRightsSetT{.org = "acme", .user = "cleo", .billing = true});
  acme.given.given("org:acme", fb::BillingRightsSetT{.org = "acme", .user = "adam", .billing = false});
  CHECK(acme.check("cleo", Action::org_billing).allowed);
  CHECK_FALSE(acme.check("adam", Action::org_billing).allowed);
  acme.given.given("org:acme", fb::BillingRightsSetT{.org = "acme", .user = "carol", .billing = false});
  CHECK(acme.check("carol", Action::org_billing).allowed);  // legal representatives always
}

TEST_CASE("P2: a direct grant gives a collaborator the product, a revocation takes it back") {
  Acme acme;
  const auto granted = acme.given.given("org:acme", fb::ProductAccessGrantedT{.org = "acme", .user = "cleo", .product = "p-mail"});
  auto result = acme.check("cleo", Action::product_access, "p-mail");
  REQUIRE(result.allowed);
  REQUIRE(result.because.size() == 1);
  CHECK(result.because[0].kind == Reason::Kind::direct_grant);
  CHECK(result.because[0].since_position == granted);
  CHECK_FALSE(acme.check("cleo", Action::product_access, "p-drive").allowed);
  acme.given.given("org:acme", fb::ProductAccessRevokedT{.org = "acme", .user = "cleo", .product = "p-mail"});
  CHECK_FALSE(acme.check("cleo", Action::product_access, "p-mail").allowed);
}

TEST_CASE("R7: products given with AddMember count as direct grants") {
  Acme acme;
  const auto added = acme.given.given("org:acme", fb::MemberAddedT{.org = "acme", .user = "dora", .role = fb::Role::collaborator, .products = {"p-drive"}});
  const auto result = acme.check("dora", Action::product_access, "p-drive");
  REQUIRE(result.allowed);
  CHECK(result.because[0].kind == Reason::Kind::direct_grant);
  CHECK(result.because[0].since_position == added);
}

TEST_CASE("T3: access is the union of own grants and every team's, each a reason") {
  Acme acme;
  acme.given.given("org:acme", fb::TeamCreatedT{.org = "acme", .team = "web", .name = "Web"});
  acme.given.given("org:acme", fb::TeamCreatedT{.org = "acme", .team = "ops", .name = "Ops"});
  acme.given.given("org:acme", fb::TeamMembersAddedT{.org = "acme", .team = "web", .users = {"cleo"}});
  acme.given.given("org:acme", fb::TeamMembersAddedT{.org = "acme", .team = "ops", .users = {"cleo"}});
  const auto web_grant = acme.given.given("org:acme", fb::TeamProductAccessGrantedT{.org = "acme", .team = "web", .product = "p-mail"});
  acme.given.given("org:acme", fb::TeamProductAccessGrantedT{.org = "acme", .team = "ops", .product = "p-mail"});
  acme.given.given("org:acme", fb::ProductAccessGrantedT{.org = "acme", .user = "cleo", .product = "p-mail"});
  auto result = acme.check("cleo", Action::product_access, "p-mail");
  REQUIRE(result.allowed);
  REQUIRE(result.because.size() == 3);
  CHECK(result.because[0].kind == Reason::Kind::direct_grant);
  CHECK(result.because[1].kind == Reason::Kind::team);
  CHECK(result.because[1].team == "ops");
  CHECK(result.because[2].team == "web");
  CHECK(result.because[2].since_position == web_grant);  // the later of joining and the team's grant

  SECTION("T1: deleting a team removes the access it gave") {
    acme.given.given("org:acme", fb::ProductAccessRevokedT{.org = "acme", .user = "cleo", .product = "p-mail"});
    acme.given.given("org:acme", fb::TeamDeletedT{.org = "acme", .team = "ops"});
    result = acme.check("cleo", Action::product_access, "p-mail");
    REQUIRE(result.because.size() == 1);
    CHECK(result.because[0].team == "web");
    acme.given.given("org:acme", fb::TeamMembersRemovedT{.org = "acme", .team = "web", .users = {"cleo"}});
    CHECK_FALSE(acme.check("cleo", Action::product_access, "p-mail").allowed);
  }
  SECTION("a removed member loses everything, teams included") {
    acme.given.given("org:acme", fb::MemberRemovedT{.org = "acme", .user = "cleo"});
    CHECK_FALSE(acme.check("cleo", Action::product_access, "p-mail").allowed);
    CHECK(acme.given.state().organizations.at("acme").teams.at("web").members.empty());
  }
}

TEST_CASE("T2: a registered non-member added to a team becomes an external member") {
  Acme acme;
  acme.given.given("user:xena", testing::clear_user_registered("xena", "xena@example.ch"));
  acme.given.given("org:acme", fb::TeamCreatedT{.org = "acme", .team = "web", .name = "Web"});
  acme.given.given("org:acme", fb::TeamMembersAddedT{.org = "acme", .team = "web", .users = {"xena"}});
  const auto& member = acme.given.state().organizations.at("acme").members.at("xena");
  CHECK(member.role == Role::external);
  CHECK_FALSE(acme.check("xena", Action::org_wide_share).allowed);
}

TEST_CASE("R5: a handover makes `to` legal representative and `from` administrator or gone, at once") {
  Acme acme;
  const auto handed = acme.given.given("org:acme", fb::LegalRepresentativeHandedOverT{.org = "acme", .from = "carol", .to = "adam", .then = fb::HandoverThen::administrator});
  const auto& members = acme.given.state().organizations.at("acme").members;
  CHECK(members.at("adam").role == Role::legal_representative);
  CHECK(members.at("adam").role_since == handed);
  CHECK(members.at("carol").role == Role::administrator);
  acme.given.given("org:acme", fb::LegalRepresentativeHandedOverT{.org = "acme", .from = "adam", .to = "cleo", .then = fb::HandoverThen::remove});
  CHECK_FALSE(acme.given.state().organizations.at("acme").members.contains("adam"));
  CHECK(acme.check("cleo", Action::org_edit_details).allowed);
}

TEST_CASE("S1-S4: support access for the assigned agent, in its scope, for 7 days") {
  Acme acme;
  const auto granted = acme.given.given("org:acme", fb::SupportAccessGrantedT{.org = "acme", .grant = "g1", .scope = fb::SupportScope::mail, .ticket = "T-1"}, "carol");
  const Micros recorded = acme.given.state().recorded_at;
  acme.given.given("ticket:T-1", fb::SupportTicketAssignedT{.ticket = "T-1", .agent = "agent:zoe"});
  auto support = [&](const std::string& agent, SupportScope scope, std::optional<std::string> resource, Micros at) {
    return check(acme.given.state(), CheckRequest{"acme", agent, Action::support_access, {}, scope, std::move(resource)}, at);
  };
  const auto allowed = support("agent:zoe", SupportScope::mail, std::nullopt, recorded);
  REQUIRE(allowed.allowed);
  CHECK(allowed.because[0].kind == Reason::Kind::support_grant);
  CHECK(allowed.because[0].grant == "g1");
  CHECK(allowed.because[0].since_position == granted);

  // S2: one microsecond before expires_at still allowed; at expires_at nothing.
  CHECK(support("agent:zoe", SupportScope::mail, std::nullopt, recorded + kSupportGrantLifetime - 1).allowed);
  CHECK_FALSE(support("agent:zoe", SupportScope::mail, std::nullopt, recorded + kSupportGrantLifetime).allowed);
  // S1: mail grants nothing in kdrive.
  CHECK_FALSE(support("agent:zoe", SupportScope::kdrive, std::nullopt, recorded).allowed);
  // S4: another agent may not use it.
  const auto other = support("agent:max", SupportScope::mail, std::nullopt, recorded);
  CHECK_FALSE(other.allowed);
  REQUIRE_FALSE(other.missing.empty());
  CHECK(other.missing[0].find("S4") != std::string::npos);
  // S1: a scope-wide grant reaches the granter's resources of that scope's product kind.
  CHECK(support("agent:zoe", SupportScope::mail, "p-mail/inbox-42", recorded).allowed);
  CHECK_FALSE(support("agent:zoe", SupportScope::mail, "p-drive/folder-1", recorded).allowed);

  SECTION("S3: revoked, it gives nothing from the revocation on") {
    acme.given.clock().advance(1000);
    acme.given.given("org:acme", fb::SupportAccessRevokedT{.org = "acme", .grant = "g1"}, "carol");
    const Micros revoked = acme.given.state().recorded_at;
    CHECK(support("agent:zoe", SupportScope::mail, std::nullopt, revoked - 1).allowed);
    CHECK_FALSE(support("agent:zoe", SupportScope::mail, std::nullopt, revoked).allowed);
  }
  SECTION("S4: reassigning the ticket moves the access") {
    acme.given.given("ticket:T-1", fb::SupportTicketAssignedT{.ticket = "T-1", .agent = "agent:max"});
    CHECK_FALSE(support("agent:zoe", SupportScope::mail, std::nullopt, recorded).allowed);
    CHECK(support("agent:max", SupportScope::mail, std::nullopt, recorded).allowed);
  }
}

TEST_CASE("S1: a resource-narrowed grant covers that resource and what is inside it only") {
  Acme acme;
  acme.given.given("org:acme", fb::SupportAccessGrantedT{.org = "acme", .grant = "g2", .scope = fb::SupportScope::kdrive, .resource = "p-drive/folder-7", .ticket = "T-2"}, "carol");
  acme.given.given("ticket:T-2", fb::SupportTicketAssignedT{.ticket = "T-2", .agent = "agent:zoe"});
  const Micros at = acme.given.state().recorded_at;
  auto support = [&](std::optional<std::string> resource) {
    return check(acme.given.state(), CheckRequest{"acme", "agent:zoe", Action::support_access, {}, SupportScope::kdrive, std::move(resource)}, at).allowed;
  };
  CHECK(support("p-drive/folder-7"));
  CHECK(support("p-drive/folder-7/file.pdf"));
  CHECK_FALSE(support("p-drive/folder-70"));
  CHECK_FALSE(support("p-drive/folder-8"));
  CHECK_FALSE(support(std::nullopt));  // the whole scope is more than the grant
}

TEST_CASE("S2/S3: a grant's state at an instant: active, then revoked or expired") {
  SupportGrant grant;
  grant.recorded_at = 1000;
  CHECK(grant_state(grant, 1000) == GrantState::active);
  CHECK(grant_state(grant, expires_at(grant) - 1) == GrantState::active);
  CHECK(grant_state(grant, expires_at(grant)) == GrantState::expired);
  grant.revoked_at = 5000;
  CHECK(grant_state(grant, 4999) == GrantState::active);
  CHECK(grant_state(grant, 5000) == GrantState::revoked);
  CHECK(grant_state(grant, expires_at(grant) + 1) == GrantState::revoked);
  CHECK(std::string(to_string(GrantState::expired)) == "expired");
}
