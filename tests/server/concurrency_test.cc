// 100 concurrent clients mixing commands and checks on one server: every answer right, nothing
// lost, the log whole.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "orgledger/ledger/verify.h"
#include "test_server.h"

using namespace orgledger;
using namespace orgledger::testing;
using nlohmann::json;

TEST_CASE("100 concurrent clients: commands and checks interleaved, every answer correct, nothing lost") {
  auto options = TestServer::quiet_options();
  options.max_connections_per_address = 128;  // every client is on 127.0.0.1
  TestServer server(options);
  server.given_acme();
  const std::string writer = server.token("write,read");  // D5: its TokenCreated is before the start
  const auto start_head = server.ledger().head().position;
  constexpr int kClients = 100;
  std::atomic<int> wrong{0};
  std::vector<std::string> failures(kClients);
  std::vector<std::thread> clients;
  for (int i = 0; i < kClients; ++i) {
    clients.emplace_back([&, i] {
      HttpClient client(server.port(), writer);
      const std::string user = "user" + std::to_string(i);
      auto expect = [&](bool ok, const std::string& what) {
        if (!ok) {
          ++wrong;
          failures[i] += what + "; ";
        }
      };
      auto r = client.post(
          "/v1/commands",
          json{{"type", "RegisterUser"}, {"actor", "svc:signup"}, {"user", user}, {"login", user + "@example.ch"}}
              .dump());
      expect(r.status == 200, "register " + std::to_string(r.status));
      auto check = client.get("/v1/check?org=acme&user=" + user + "&action=product.access&product=p-mail");
      expect(check.status == 200 && check.json()["allowed"] == false, "check before");
      r = client.post(
          "/v1/commands",
          json{{"type", "AddMember"}, {"actor", "carol"}, {"org", "acme"}, {"user", user}, {"role", "collaborator"}}
              .dump());
      expect(r.status == 200, "add " + r.body);
      // Every other client also gets direct access to p-mail.
      if (i % 2 == 0) {
        r = client.post("/v1/commands", json{{"type", "GrantProductAccess"},
                                             {"actor", "adam"},
                                             {"org", "acme"},
                                             {"user", user},
                                             {"product", "p-mail"}}
                                            .dump());
        expect(r.status == 200, "grant " + r.body);
      }
      // An answer is given only once durable and visible: read-your-writes.
      check = client.get("/v1/check?org=acme&user=" + user + "&action=product.access&product=p-mail");
      expect(check.status == 200 && check.json()["allowed"] == (i % 2 == 0), "check after");
      // A rule rejection among them: cleo may not add members.
      r = client.post(
          "/v1/commands",
          json{{"type", "AddMember"}, {"actor", "cleo"}, {"org", "acme"}, {"user", user}, {"role", "external"}}.dump());
      expect(r.status == 403, "forbidden add");
    });
  }
  for (auto& thread : clients) thread.join();
  for (const auto& failure : failures) {
    if (!failure.empty()) FAIL_CHECK(failure);
  }
  CHECK(wrong == 0);

  // Register + add + (half) grant + rejection entry each.
  CHECK(server.ledger().head().position == start_head + kClients * 3 + kClients / 2);
  HttpClient reader(server.port(), server.token("read"));
  const auto members = reader.get("/v1/orgs/acme/members").json()["members"];
  CHECK(members.size() == 4 + kClients);
  int with_mail = 0;
  for (const auto& member : members) {
    if (member["user"].get<std::string>().starts_with("user") && member["products"] == json::array({"p-mail"}))
      ++with_mail;
  }
  CHECK(with_mail == kClients / 2);
  const auto report = ledger::verify_ledger(server.data_directory());
  REQUIRE(report);
  CHECK(report->ok);
}
