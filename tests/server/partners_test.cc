// C1–C5 over HTTP: a relation, a manager's check with its partner reason, and
// GET /v1/orgs/{org}/partners from both sides, as of any point.
#include <catch2/catch.hpp>

#include "test_server.h"

using namespace orgledger;
using namespace orgledger::testing;
using json = nlohmann::json;

TEST_CASE("C HTTP: a partner manager's check says partner - partners lists the relation on both sides") {
  TestServer server;
  server.given_acme();
  REQUIRE(server.submit({{"type", "RegisterUser"}, {"actor", "svc:signup"}, {"user", "rita"}, {"login", "rita@resell.ch"}}).status == 200);
  REQUIRE(server.submit({{"type", "CreateOrganization"}, {"actor", "rita"}, {"org", "resell"}, {"name", "Resell"}}).status == 200);
  REQUIRE(server.submit({{"type", "JoinPartnerProgram"}, {"actor", "svc:partners"}, {"org", "resell"}}).status == 200);
  auto conflict = server.submit({{"type", "JoinAffiliateProgram"}, {"actor", "svc:partners"}, {"org", "resell"}});
  CHECK(conflict.status == 409);
  CHECK(conflict.json()["code"] == "conflict");
  REQUIRE(server.submit({{"type", "EstablishPartnerRelation"}, {"actor", "carol"}, {"partner_org", "resell"},
                         {"client_org", "acme"}, {"scope", json::array({"p-mail"})}, {"billing", true}}).status == 200);
  const auto established = server.ledger().head().position;
  REQUIRE(server.submit({{"type", "AssignPartnerManager"}, {"actor", "rita"}, {"partner_org", "resell"},
                         {"client_org", "acme"}, {"user", "rita"}}).status == 200);
  HttpClient reader(server.port(), server.token("read"));
  auto allowed = reader.get("/v1/check?org=acme&user=rita&action=product.access&product=p-mail").json();
  CHECK(allowed["allowed"] == true);
  CHECK(allowed["because"][0]["kind"] == "partner");
  CHECK(allowed["because"][0]["partner_org"] == "resell");
  CHECK(reader.get("/v1/check?org=acme&user=rita&action=product.access&product=p-drive").json()["allowed"] == false);
  CHECK(reader.get("/v1/check?org=acme&user=rita&action=org.billing").json()["allowed"] == true);
  CHECK(reader.get("/v1/check?org=acme&user=rita&action=org.manage_members").json()["allowed"] == false);
  auto client_side = reader.get("/v1/orgs/acme/partners").json();
  REQUIRE(client_side["relations"].size() == 1);
  const auto& relation = client_side["relations"][0];
  CHECK(relation["partner_org"] == "resell");
  CHECK(relation["client_org"] == "acme");
  CHECK(relation["scope"] == json::array({"p-mail"}));
  CHECK(relation["billing"] == true);
  CHECK(relation["managers"] == json::array({"rita"}));
  CHECK(relation["state"] == "active");
  CHECK(relation["since_position"] == established);
  CHECK(relation["ended_position"].is_null());
  auto partner_side = reader.get("/v1/orgs/resell/partners").json();
  REQUIRE(partner_side["relations"].size() == 1);
  CHECK(partner_side["relations"][0]["client_org"] == "acme");
  REQUIRE(server.submit({{"type", "EndPartnerRelation"}, {"actor", "rita"}, {"partner_org", "resell"}, {"client_org", "acme"}}).status == 200);
  CHECK(reader.get("/v1/orgs/acme/partners").json()["relations"][0]["state"] == "ended");
  CHECK(reader.get("/v1/check?org=acme&user=rita&action=product.access&product=p-mail").json()["allowed"] == false);
  auto then = reader.get("/v1/orgs/acme/partners?as_of=" + std::to_string(established)).json();
  CHECK(then["relations"][0]["state"] == "active");
  CHECK(then["relations"][0]["managers"] == json::array());
  CHECK(reader.get("/v1/orgs/nowhere/partners").status == 404);
}
