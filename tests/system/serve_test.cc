// The real `orgledger serve` process: its banner, `token create` beside it (admin socket), a
// request over HTTP, SIGTERM (finish, close cleanly, exit 0), and SIGKILL (every acknowledged
// command survives).
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <nlohmann/json.hpp>
#include <string>

#include "http_client.h"
#include "run_cli.h"
#include "serve_process.h"
#include "temp_dir.h"

using namespace orgledger::testing;
using nlohmann::json;

TEST_CASE("serve: token create beside the running server, a first request, SIGTERM closes cleanly") {
  TempDir dir;
  const std::string data = dir.sub("data");
  ServeProcess serve(data);
  int code = -1;
  const auto created =
      json::parse(run("token create --json --name ops --scopes write,read,audit --principal svc:signup --data " + data, &code));
  REQUIRE(code == 0);
  CHECK(created["name"] == "ops");
  CHECK(created["principal"] == "svc:signup");
  CHECK(created["act_as"] == json::array({"svc:signup"}));  // D4: the principal alone by default
  const std::string token = created["token"];
  CHECK(token.starts_with("olt_"));
  // The token itself is nowhere in the store: only its hash.
  run("token create --name ops --scopes read --data " + data, &code);
  CHECK(code == 1);  // the name is taken: already_exists (D5)

  HttpClient client(serve.port(), token);
  const auto answer =
      client.post("/v1/commands", R"({"type":"RegisterUser","actor":"svc:signup","user":"ann","login":"ann@x.ch"})");
  REQUIRE(answer.status == 200);
  // D5: the token's creation is on record, by the operator; D4: the command says who vouched.
  const auto events = client.get("/v1/events").json()["events"];
  REQUIRE(events.size() == 2);
  CHECK(events[0]["type"] == "TokenCreated");
  CHECK(events[0]["actor"].get<std::string>().starts_with("local:"));
  CHECK(events[0]["data"].dump().find("olt_") == std::string::npos);
  CHECK(events[1]["via"] == json{{"principal", "svc:signup"}, {"token", "ops"}});
  CHECK(serve.stop_with(SIGTERM) == 0);

  // Closed cleanly: the store opens, the chain verifies, the event is there, the token too.
  run("verify --data " + data, &code);
  CHECK(code == 0);
  const auto listed = run("events --json --data " + data);
  CHECK(listed.find("UserRegistered") != std::string::npos);
  ServeProcess again(data);
  HttpClient after(again.port(), token);
  CHECK(after.get("/v1/orgs/none").status == 404);  // authenticated: the token survived the restart
  CHECK(again.stop_with(SIGINT) == 0);
}

TEST_CASE("serve: every acknowledged command survives SIGKILL, with the single and the pipelined writer") {
  // serve --pipelined-writer (issue 15): groups costly to decide are written by a second thread.
  const bool pipelined = GENERATE(false, true);
  INFO((pipelined ? "--pipelined-writer" : "the single writer"));
  const std::vector<std::string> writer = pipelined ? std::vector<std::string>{"--pipelined-writer"} : std::vector<std::string>{};
  TempDir dir;
  const std::string data = dir.sub("data");
  std::string token;
  std::vector<std::uint64_t> acknowledged;
  {
    ServeProcess serve(data, writer);
    int code = -1;
    token = json::parse(run("token create --json --name w --scopes write --principal svc:manager --act-as svc:signup,u* --data " + data, &code))["token"];
    REQUIRE(code == 0);
    HttpClient client(serve.port(), token);
    for (int i = 0; i < 40; ++i) {
      const std::string user = "u" + std::to_string(i);
      const auto reply = client.post(
          "/v1/commands",
          json{{"type", "RegisterUser"}, {"actor", "svc:signup"}, {"user", user}, {"login", user + "@x.ch"}}.dump());
      REQUIRE(reply.status == 200);
      acknowledged.push_back(reply.json()["position"]);
    }
    CHECK(serve.stop_with(SIGKILL) == 128 + SIGKILL);
  }
  int code = -1;
  const auto verify = json::parse(run("verify --json --data " + data, &code));
  CHECK(code == 0);
  CHECK(verify["head"]["position"].get<std::uint64_t>() >= acknowledged.back());
  // Restarted (from a snapshot and the tail after it), the state holds every acknowledged user:
  // O1 lets only a registered user create an organization.
  ServeProcess again(data, writer);
  HttpClient client(again.port(), token);
  for (const char* user : {"u0", "u25", "u39"}) {
    INFO(user);
    CHECK(client
              .post("/v1/commands", json{{"type", "CreateOrganization"},
                                         {"actor", user},
                                         {"org", std::string("org-") + user},
                                         {"name", "X"}}
                                        .dump())
              .status == 200);
  }
  CHECK(client
            .post("/v1/commands",
                  json{{"type", "CreateOrganization"}, {"actor", "u40"}, {"org", "org-u40"}, {"name", "X"}}.dump())
            .status == 403);
  CHECK(again.stop_with(SIGTERM) == 0);
}

TEST_CASE("serve: token list and revoke from the command line, beside the running server and without one (D5)") {
  TempDir dir;
  const std::string data = dir.sub("data");
  int code = -1;
  // Without a server: straight into the data directory.
  run("token create --name early --scopes read --expires-in 90d --data " + data, &code);
  REQUIRE(code == 0);
  ServeProcess serve(data);
  const auto created = json::parse(
      run("token create --json --name desk --scopes write,read --principal svc:desk --act-as 'agent:*,svc:desk' --data " + data, &code));
  REQUIRE(code == 0);
  CHECK(created["act_as"] == json::array({"agent:*", "svc:desk"}));
  CHECK(created["expires_at"].is_null());
  HttpClient client(serve.port(), created["token"].get<std::string>());
  CHECK(client.get("/v1/orgs/none").status == 404);

  const auto listed = json::parse(run("token list --json --data " + data, &code));
  REQUIRE(code == 0);
  REQUIRE(listed.size() == 2);
  CHECK(listed[0]["name"] == "desk");
  CHECK(listed[0]["principal"] == "svc:desk");
  CHECK(listed[0]["revoked_at"].is_null());
  CHECK(listed[1]["name"] == "early");
  CHECK(listed[1]["expires_at"].is_string());
  CHECK(listed.dump().find("olt_") == std::string::npos);  // never a secret

  run("token revoke desk --data " + data, &code);
  CHECK(code == 0);
  CHECK(client.get("/v1/orgs/none").status == 401);  // from the next request on
  run("token revoke desk --data " + data, &code);
  CHECK(code == 1);  // not_active
  run("token create --name desk --scopes read --data " + data, &code);
  CHECK(code == 1);  // already_exists: a revoked name is not reused
  CHECK(serve.stop_with(SIGTERM) == 0);
  const auto after = json::parse(run("token list --json --data " + data, &code));
  CHECK(after[0]["revoked_at"].is_string());
  const auto events = run("events --json --stream token:desk --data " + data);
  CHECK(events.find("TokenRevoked") != std::string::npos);
}
