// G3 over HTTP: who sees personal data in clear (personal_data, admin; abuse:reporter for
// reporters only), "redacted" for everyone else in every route and the SSE feed, "forgotten" for
// everyone once forgotten (G2); K1–K5's queries; and the 6 MiB body of SubmitIdentityDocuments.
#include <catch2/catch.hpp>

#include "orgledger/api/base64.h"
#include "orgledger/api/time_format.h"
#include "test_server.h"

using namespace orgledger;
using namespace orgledger::testing;
using json = nlohmann::json;

namespace {

const std::string kLogin = "dana.marker@example.ch";
const std::string kDocument = "passport-scan-marker";

void given_people(TestServer& server) {
  server.given_acme();
  REQUIRE(server.submit({{"type", "RegisterUser"}, {"actor", "svc:signup"}, {"user", "dana"}, {"login", kLogin}}).status == 200);
  REQUIRE(server.submit({{"type", "FileAbuseReport"}, {"actor", "svc:abuse-desk"}, {"report", "r1"},
                         {"received_at", api::format_instant(ledger::system_clock().now())}, {"category", "spam"},
                         {"reporter", {{"name", "Ida"}, {"email", "ida.marker@example.org"}}}}).status == 200);
  REQUIRE(server.submit({{"type", "OpenIdentityVerification"}, {"actor", "svc:kcheck"}, {"case", "k1"}, {"user", "dana"},
                         {"reason", "disable_2fa"}}).status == 200);
  REQUIRE(server.submit({{"type", "SubmitIdentityDocuments"}, {"actor", "dana"}, {"case", "k1"},
                         {"documents", json::array({{{"kind", "passport"}, {"content", api::base64(kDocument)}}})}})
              .status == 200);
}

std::string login_seen(TestServer& server, const std::string& scopes) {
  HttpClient client(server.port(), server.token(scopes));
  auto reply = client.get("/v1/users/dana");
  REQUIRE(reply.status == 200);
  return reply.json()["login"];
}

json reporter_seen(TestServer& server, const std::string& scopes) {
  HttpClient client(server.port(), server.token(scopes));
  auto reply = client.get("/v1/abuse-reports/r1");
  REQUIRE(reply.status == 200);
  return reply.json()["reporter"];
}

json document_seen(TestServer& server, const std::string& scopes, const std::string& query = "") {
  HttpClient client(server.port(), server.token(scopes));
  auto reply = client.get("/v1/identity-verifications/k1" + query);
  REQUIRE(reply.status == 200);
  return reply.json()["documents"][0]["content"];
}

}  // namespace

TEST_CASE("G3 HTTP: personal_data and admin see logins and documents, abuse:reporter reporters only, others redacted") {
  TestServer server;
  given_people(server);
  CHECK(login_seen(server, "read") == "redacted");
  CHECK(login_seen(server, "read,abuse:reporter") == "redacted");
  CHECK(login_seen(server, "read,personal_data") == kLogin);
  CHECK(login_seen(server, "admin") == kLogin);
  CHECK(reporter_seen(server, "read") == "redacted");
  CHECK(reporter_seen(server, "read,abuse:reporter")["email"] == "ida.marker@example.org");
  CHECK(reporter_seen(server, "read,personal_data")["name"] == "Ida");
  CHECK(document_seen(server, "read") == "redacted");
  CHECK(document_seen(server, "read,abuse:reporter") == "redacted");
  CHECK(document_seen(server, "read,personal_data") == api::base64(kDocument));
  // The user's organizations and the case's fields are for every reader.
  HttpClient reader(server.port(), server.token("read"));
  auto carol = reader.get("/v1/users/carol").json();
  CHECK(carol["organizations"] == json::array({{{"org", "acme"}, {"role", "legal_representative"}}}));
  auto k1 = reader.get("/v1/identity-verifications/k1").json();
  CHECK(k1["state"] == "submitted");
  CHECK(k1["reason"] == "disable_2fa");
  CHECK(k1["user"] == "dana");
  CHECK_FALSE(k1["purge_at"].is_null());
  CHECK(reader.get("/v1/users/nobody").status == 404);
  CHECK(reader.get("/v1/users/no%20body").status == 400);  // invalid_argument before not_found
  CHECK(reader.get("/v1/orders/o%2Fx").status == 400);
  CHECK(reader.get("/v1/identity-verifications/k9").status == 404);

  // The event feed: the same rules, and never the ciphertext.
  auto page = [&](const std::string& scopes) {
    HttpClient client(server.port(), server.token(scopes));
    return client.get("/v1/events?from=1").body;
  };
  const auto redacted = page("audit");
  CHECK(redacted.find(kLogin) == std::string::npos);
  CHECK(redacted.find("ida.marker") == std::string::npos);
  CHECK(redacted.find(api::base64(kDocument)) == std::string::npos);
  CHECK(redacted.find("ciphertext") == std::string::npos);
  CHECK(redacted.find("\"login\":\"redacted\"") != std::string::npos);
  const auto revealed = page("audit,personal_data");
  CHECK(revealed.find(kLogin) != std::string::npos);
  CHECK(revealed.find("ida.marker") != std::string::npos);
  CHECK(revealed.find(api::base64(kDocument)) != std::string::npos);

  // SSE: redacted for a token without the scope.
  SseReader sse(server.port(), "/v1/events/subscribe?from=1", server.token("audit"));
  REQUIRE(sse.status() == 200);
  std::string frames;
  for (int i = 0; i < 200; ++i) {
    auto event = sse.next(std::chrono::milliseconds(500));
    if (!event) break;
    frames += event->data;
    if (event->event == "IdentityDocumentsSubmitted") break;
  }
  CHECK(frames.find("\"login\":\"redacted\"") != std::string::npos);
  CHECK(frames.find(kLogin) == std::string::npos);
  CHECK(frames.find(api::base64(kDocument)) == std::string::npos);
}

TEST_CASE("G2 HTTP: after ForgetSubject everyone sees forgotten - twice is not_active, unknown not_found") {
  TestServer server;
  given_people(server);
  REQUIRE(server.submit({{"type", "ForgetSubject"}, {"actor", "svc:privacy"}, {"subject", "user:dana"}}).status == 200);
  CHECK(login_seen(server, "read") == "forgotten");
  CHECK(login_seen(server, "admin") == "forgotten");
  auto again = server.submit({{"type", "ForgetSubject"}, {"actor", "svc:privacy"}, {"subject", "user:dana"}});
  CHECK(again.status == 409);
  CHECK(again.json()["code"] == "not_active");
  auto unknown = server.submit({{"type", "ForgetSubject"}, {"actor", "svc:privacy"}, {"subject", "abuse:r9"}});
  CHECK(unknown.status == 404);
  // The case is a subject of its own: its documents are still there.
  CHECK(document_seen(server, "admin") == api::base64(kDocument));
  REQUIRE(server.submit({{"type", "ForgetSubject"}, {"actor", "svc:privacy"}, {"subject", "abuse:r1"}}).status == 200);
  CHECK(reporter_seen(server, "admin") == "forgotten");
  CHECK(reporter_seen(server, "read") == "forgotten");
  HttpClient auditor(server.port(), server.token("admin"));
  const auto events = auditor.get("/v1/events?from=1").body;
  CHECK(events.find(kLogin) == std::string::npos);
  CHECK(events.find("ida.marker") == std::string::npos);
  // A forgotten user keeps their id and roles.
  CHECK(auditor.get("/v1/users/dana").json()["organizations"] == json::array());
  // Completing the case purges its documents (K3): forgotten to everyone.
  REQUIRE(server.submit({{"type", "CompleteIdentityVerification"}, {"actor", "agent:zoe"}, {"case", "k1"},
                         {"outcome", "verified"}}).status == 200);
  CHECK(document_seen(server, "admin") == "forgotten");
  auto k1 = auditor.get("/v1/identity-verifications/k1").json();
  CHECK(k1["state"] == "verified");
  CHECK(k1["purge_at"].is_null());
}

TEST_CASE("K4 HTTP: at purge_at the documents read as forgotten and the case as expired, before any scheduler") {
  TestServer server;
  given_people(server);
  HttpClient admin(server.port(), server.token("admin"));
  const auto k1 = admin.get("/v1/identity-verifications/k1").json();
  const auto purge_at = *api::parse_instant(k1["purge_at"].get<std::string>());
  const auto at = [&](ledger::Micros instant) { return "?at=" + api::format_instant(instant); };
  CHECK(document_seen(server, "admin", at(purge_at - 1)) == api::base64(kDocument));
  CHECK(document_seen(server, "admin", at(purge_at)) == "forgotten");
  CHECK(admin.get("/v1/identity-verifications/k1" + at(purge_at)).json()["state"] == "expired");
  CHECK(admin.get("/v1/identity-verifications/k1" + at(purge_at - 1)).json()["state"] == "submitted");
  // As of the position before the submission: open, no documents.
  const auto before = admin.get("/v1/identity-verifications/k1?as_of=" +
                                std::to_string(server.ledger().head().position - 1)).json();
  CHECK(before["state"] == "open");
  CHECK(before["documents"] == json::array());
}

TEST_CASE("K5 HTTP: an order's state and cancel_at, as of any point") {
  TestServer server;
  server.given_acme();
  REQUIRE(server.submit({{"type", "BlockOrder"}, {"actor", "svc:billing"}, {"order", "o1"}, {"org", "acme"},
                         {"reason", "fraud check"}}).status == 200);
  const auto blocked_position = server.ledger().head().position;
  REQUIRE(server.submit({{"type", "UnblockOrder"}, {"actor", "agent:zoe"}, {"order", "o1"}}).status == 200);
  HttpClient reader(server.port(), server.token("read"));
  auto now = reader.get("/v1/orders/o1").json();
  CHECK(now["state"] == "unblocked");
  CHECK(now["cancel_at"].is_null());
  CHECK(now["org"] == "acme");
  auto then = reader.get("/v1/orders/o1?as_of=" + std::to_string(blocked_position)).json();
  CHECK(then["state"] == "blocked");
  const auto blocked_at = *api::parse_instant(then["blocked_at"].get<std::string>());
  CHECK(then["cancel_at"] == api::format_instant(blocked_at + 240LL * 3600 * 1'000'000));
  auto later = reader.get("/v1/orders/o1?as_of=" + std::to_string(blocked_position) + "&at=" +
                          api::format_instant(blocked_at + 240LL * 3600 * 1'000'000));
  CHECK(later.json()["state"] == "cancelled");
  CHECK(reader.get("/v1/orders/o9").status == 404);
  auto again = server.submit({{"type", "UnblockOrder"}, {"actor", "agent:zoe"}, {"order", "o1"}});
  CHECK(again.status == 409);
  CHECK(again.json()["code"] == "invalid_state");
}

TEST_CASE("K2 HTTP: SubmitIdentityDocuments alone may reach 6 MiB - 4 MiB of documents pass, others stop at 1 MiB") {
  TestServer server;
  given_people(server);
  REQUIRE(server.submit({{"type", "OpenIdentityVerification"}, {"actor", "svc:kcheck"}, {"case", "k2"}, {"user", "dana"},
                         {"reason", "first_payout"}}).status == 200);
  HttpClient writer(server.port(), server.token("write"));
  // 4 MiB decoded (about 5.3 MiB of base64): accepted.
  const std::string four_mib(4u << 20, 'd');
  json submit{{"type", "SubmitIdentityDocuments"}, {"actor", "dana"}, {"case", "k2"},
              {"documents", json::array({{{"kind", "id_card"}, {"content", api::base64(four_mib)}}})}};
  auto accepted = writer.post("/v1/commands", submit.dump());
  CHECK(accepted.status == 200);
  // One byte more decoded: invalid_argument (K2), not stored.
  submit["case"] = "k1b";
  submit["documents"][0]["content"] = api::base64(four_mib + "x");
  CHECK(writer.post("/v1/commands", submit.dump()).status == 400);
  // Any other command over 1 MiB: payload_too_large, with its command id.
  json big{{"type", "CreateOrganization"}, {"actor", "carol"}, {"org", "big"}, {"name", std::string(1100000, 'n')},
           {"command_id", "big-1"}};
  auto refused = writer.post("/v1/commands", big.dump());
  CHECK(refused.status == 413);
  CHECK(refused.json()["code"] == "payload_too_large");
  CHECK(refused.json()["command_id"] == "big-1");
  // Over 6 MiB, even for documents: payload_too_large.
  submit["documents"][0]["content"] = std::string(6u << 20, 'A');
  HttpClient again(server.port(), server.token("write"));
  CHECK(again.post("/v1/commands", submit.dump()).status == 413);
}
