// B1–B4 over HTTP: the commands with their 409/422 refusals, and GET /v1/orgs/{org}/renewals as of
// any point.
#include <catch2/catch.hpp>

#include "orgledger/api/time_format.h"
#include "test_server.h"

using namespace orgledger;
using namespace orgledger::testing;
using json = nlohmann::json;

TEST_CASE("B HTTP: auto-renewal refusals are 422 or 409 - renewals show expiry, state and the first attempt") {
  TestServer server;
  server.given_acme();
  const auto now = ledger::system_clock().now();
  const auto expires_at = now + 1000LL * 3600 * 1'000'000;
  REQUIRE(server.submit({{"type", "RegisterProduct"}, {"actor", "svc:billing"}, {"org", "acme"}, {"product", "p-host"},
                         {"kind", "hosting"}, {"expires_at", api::format_instant(expires_at)}}).status == 200);
  const auto before = server.ledger().head().position;
  auto unsupported = server.submit({{"type", "EnableAutoRenewal"}, {"actor", "carol"}, {"org", "acme"},
                                    {"product", "p-host"}, {"payment_method", "paypal"}});
  CHECK(unsupported.status == 422);
  CHECK(unsupported.json()["code"] == "unsupported_payment_method");
  CHECK(unsupported.json()["rule"] == "B1");
  auto no_expiry = server.submit({{"type", "EnableAutoRenewal"}, {"actor", "carol"}, {"org", "acme"},
                                  {"product", "p-mail"}, {"payment_method", "visa"}});
  CHECK(no_expiry.status == 409);
  CHECK(server.submit({{"type", "EnableAutoRenewal"}, {"actor", "carol"}, {"org", "acme"}, {"product", "p-host"},
                       {"payment_method", "visa"}}).status == 200);
  HttpClient reader(server.port(), server.token("read"));
  auto renewals = reader.get("/v1/orgs/acme/renewals").json();
  CHECK(renewals["org"] == "acme");
  json host;
  for (const auto& product : renewals["products"]) {
    if (product["product"] == "p-host") host = product;
  }
  CHECK(host["expires_at"] == api::format_instant(expires_at));
  CHECK(host["state"] == "active");
  CHECK(host["auto_renewal"]["enabled"] == true);
  CHECK(host["auto_renewal"]["payment_method"] == "visa");
  CHECK(host["auto_renewal"]["first_attempt_at"] == api::format_instant(expires_at - 336LL * 3600 * 1'000'000));
  // At expires_at: expired (no access right changes).
  auto later = reader.get("/v1/orgs/acme/renewals?at=" + api::format_instant(expires_at)).json();
  for (const auto& product : later["products"]) {
    if (product["product"] == "p-host") CHECK(product["state"] == "expired");
  }
  // As of before the enabling: off.
  auto then = reader.get("/v1/orgs/acme/renewals?as_of=" + std::to_string(before)).json();
  for (const auto& product : then["products"]) {
    if (product["product"] == "p-host") CHECK(product["auto_renewal"]["enabled"] == false);
  }
  CHECK(reader.get("/v1/orgs/nowhere/renewals").status == 404);
}
