// P1–P2 and T1–T5, one scenario per rule and edge.
#include "scenario.h"

using namespace orgledger;
using namespace orgledger::commands;
using orgledger::testing::Scenario;
using orgledger::testing::types;

TEST_CASE("P1: products are registered by administrators, legal representatives or svc:billing") {
  Scenario s;
  s.given_acme();
  auto ok = s.when("svc:billing", RegisterProduct{"acme", "p-web", "web_hosting", "Site", 1'900'000'000'000'000});
  REQUIRE(ok);
  CHECK((*ok)[0].payload.AsProductRegistered()->expires_at->us() == 1'900'000'000'000'000);
  CHECK(s.when("adam", RegisterProduct{"acme", "p-web", "web_hosting", "Site", {}}));
  THEN_REJECTED(s.when("cleo", RegisterProduct{"acme", "p-web", "web_hosting", "Site", {}}), Code::forbidden, "P1");
  THEN_REJECTED(s.when("svc:other", RegisterProduct{"acme", "p-web", "web_hosting", "Site", {}}), Code::forbidden, "P1");
  THEN_REJECTED(s.when("adam", RegisterProduct{"acme", "p-mail", "mail_service", "Again", {}}), Code::already_exists, "P1");
}

TEST_CASE("P2: direct access for collaborators and externals, granted and revoked under R1") {
  Scenario s;
  s.given_acme();
  CHECK(types(s.when("adam", GrantProductAccess{"acme", "cleo", "p-mail"}).value()) == std::vector<std::string>{"ProductAccessGranted"});
  CHECK(s.when("adam", GrantProductAccess{"acme", "ezra", "p-mail"}));
  THEN_REJECTED(s.when("cleo", GrantProductAccess{"acme", "ezra", "p-mail"}), Code::forbidden, "R1");
  THEN_REJECTED(s.when("adam", GrantProductAccess{"acme", "carol", "p-mail"}), Code::invalid_state, "P2");
  THEN_REJECTED(s.when("adam", GrantProductAccess{"acme", "xena", "p-mail"}), Code::not_found, "P2");
  THEN_REJECTED(s.when("adam", GrantProductAccess{"acme", "cleo", "p-none"}), Code::not_found, "P2");
  THEN_REJECTED(s.when("adam", RevokeProductAccess{"acme", "cleo", "p-mail"}), Code::not_found, "P2");
  s.given("org:acme", schema::ProductAccessGrantedT{.org = "acme", .user = "cleo", .product = "p-mail"});
  THEN_REJECTED(s.when("adam", GrantProductAccess{"acme", "cleo", "p-mail"}), Code::already_exists, "P2");
  CHECK(s.when("adam", RevokeProductAccess{"acme", "cleo", "p-mail"}));
}

TEST_CASE("T1: teams are created and deleted by administrators - an existing id is already_exists") {
  Scenario s;
  s.given_acme();
  CHECK(s.when("adam", CreateTeam{"acme", "web", "Web"}));
  THEN_REJECTED(s.when("cleo", CreateTeam{"acme", "web", "Web"}), Code::forbidden, "T1");
  s.given("org:acme", schema::TeamCreatedT{.org = "acme", .team = "web", .name = "Web"});
  THEN_REJECTED(s.when("adam", CreateTeam{"acme", "web", "Web"}), Code::already_exists, "T5");
  CHECK(types(s.when("carol", DeleteTeam{"acme", "web"}).value()) == std::vector<std::string>{"TeamDeleted"});
  THEN_REJECTED(s.when("carol", DeleteTeam{"acme", "ops"}), Code::not_found, "T5");
}

TEST_CASE("T2: one or many registered users at once - non-members become externals (projection)") {
  Scenario s;
  s.given_acme();
  s.given("org:acme", schema::TeamCreatedT{.org = "acme", .team = "web", .name = "Web"});
  auto ok = s.when("adam", AddTeamMembers{"acme", "web", {"cleo", "xena"}});
  REQUIRE(ok);
  CHECK((*ok)[0].payload.AsTeamMembersAdded()->users == std::vector<std::string>{"cleo", "xena"});
  THEN_REJECTED(s.when("adam", AddTeamMembers{"acme", "web", {"cleo", "nobody"}}), Code::not_found, "T2");
  THEN_REJECTED(s.when("adam", AddTeamMembers{"acme", "web", {"cleo", "cleo"}}), Code::already_exists, "T2");
  THEN_REJECTED(s.when("adam", AddTeamMembers{"acme", "web", {}}), Code::invalid_argument, "");
  s.given("org:acme", schema::TeamMembersAddedT{.org = "acme", .team = "web", .users = {"cleo"}});
  THEN_REJECTED(s.when("adam", AddTeamMembers{"acme", "web", {"cleo"}}), Code::already_exists, "T2");
}

TEST_CASE("T3: team product access is granted and revoked - unknown products are not_found") {
  Scenario s;
  s.given_acme();
  s.given("org:acme", schema::TeamCreatedT{.org = "acme", .team = "web", .name = "Web"});
  CHECK(s.when("adam", GrantTeamProductAccess{"acme", "web", "p-mail"}));
  THEN_REJECTED(s.when("adam", GrantTeamProductAccess{"acme", "web", "p-none"}), Code::not_found, "T5");
  THEN_REJECTED(s.when("adam", RevokeTeamProductAccess{"acme", "web", "p-mail"}), Code::not_found, "T3");
  s.given("org:acme", schema::TeamProductAccessGrantedT{.org = "acme", .team = "web", .product = "p-mail"});
  THEN_REJECTED(s.when("adam", GrantTeamProductAccess{"acme", "web", "p-mail"}), Code::already_exists, "T3");
  CHECK(s.when("adam", RevokeTeamProductAccess{"acme", "web", "p-mail"}));
}

TEST_CASE("T4: the leader must be a team member - removing members removes them") {
  Scenario s;
  s.given_acme();
  s.given("org:acme", schema::TeamCreatedT{.org = "acme", .team = "web", .name = "Web"});
  THEN_REJECTED(s.when("adam", SetTeamLeader{"acme", "web", "cleo"}), Code::invalid_state, "T4");
  s.given("org:acme", schema::TeamMembersAddedT{.org = "acme", .team = "web", .users = {"cleo"}});
  CHECK(types(s.when("adam", SetTeamLeader{"acme", "web", "cleo"}).value()) == std::vector<std::string>{"TeamLeaderSet"});
  THEN_REJECTED(s.when("adam", RemoveTeamMembers{"acme", "web", {"ezra"}}), Code::not_found, "T4");
  CHECK(s.when("adam", RemoveTeamMembers{"acme", "web", {"cleo"}}));
  THEN_REJECTED(s.when("adam", SetTeamLeader{"acme", "ops", "cleo"}), Code::not_found, "T5");
}
