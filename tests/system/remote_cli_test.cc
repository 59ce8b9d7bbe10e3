// API.md, command line: the subcommands that can run against a server (`--server URL`, else
// $ORGLEDGER_SERVER, the token in $ORGLEDGER_TOKEN) print what they print on the data directory,
// except what D4 makes differ (`via`) and generated ids and times, with the same exit codes. Each
// query runs both ways on one store beside a real `orgledger serve`; `submit` runs both ways on two
// fresh stores from the same input; TLS is verified against --cacert. Through a server, its token's
// scopes decide what personal data shows (G3), so the local runs reveal what an admin token sees.
#include <stdlib.h>
#include <sys/wait.h>
#include <catch2/catch.hpp>

#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "run_cli.h"
#include "serve_process.h"
#include "temp_dir.h"
#include "tls_client.h"

using namespace orgledger::testing;
using nlohmann::json;

namespace {

const std::string kStory = std::string(ORGLEDGER_FIXTURES) + "/remote_cli_story.jsonl";
const std::string kAt = " --at 2026-12-02T12:00:00Z";  // time rules at one instant, both ways

// Creates a token on `data` with `scopes` and puts it in $ORGLEDGER_TOKEN for the runs that follow.
void use_new_token(const std::string& data, const std::string& name, const std::string& scopes) {
  const auto created = json::parse(invoke("token create --data " + data + " --name " + name + " --scopes " + scopes +
                                       " --act-as '*' --json").out);
  REQUIRE(setenv("ORGLEDGER_TOKEN", created["token"].get<std::string>().c_str(), 1) == 0);
}

}  // namespace

TEST_CASE("remote CLI: every query through --server prints what it prints on the data directory") {
  TempDir dir;
  const std::string data = dir.sub("data");
  REQUIRE(invoke("submit --data " + data + " --file " + kStory).exit_code == 0);
  use_new_token(data, "desk", "admin");
  ServeProcess server(data);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());

  SECTION("each query, human and --json, both ways") {
    const std::vector<std::string> queries{
        "members acme",
        "members acme --as-of 12",
        "members nope",
        "check --org acme --user erin --action product.access --product p-drive --explain" + kAt,
        "check --org acme --user frank --action org.billing --explain" + kAt,
        "check --org acme --user erin --action product.access --product p-mail --as-of 9" + kAt,
        "check --org nope --user erin --action org.billing" + kAt,
        "partners acme" + kAt,
        "partners webagency --as-of 20" + kAt,
        "renewals acme" + kAt,
        "user erin --reveal-personal-data" + kAt,
        "user nobody" + kAt,
        "identity-verification k1 --reveal-personal-data" + kAt,
        "order o1" + kAt,
        "order nope" + kAt,
        "abuse --reveal-personal-data" + kAt,
        "abuse --status breached --reveal-personal-data" + kAt,
        "abuse --as-of 21 --reveal-personal-data" + kAt,
        "events --reveal-personal-data",
        "events --from 5 --limit 3 --reveal-personal-data",
        "events --stream org:acme",
        "events --stream abuse:r1 --reveal-personal-data",
        "events --stream abuse:r2 --from 22",
        "access-history --org acme --product p-drive",
        "access-history --org acme --product p-mail --from 10 --to 15",
        "who-can --org acme --action product.access --product p-mail" + kAt,
        "who-can --org acme --action org.billing --as-of 12" + kAt,
        "what-can --org acme --user erin" + kAt,
        "proof inclusion --position 7",
        "proof inclusion --position 3 --tree-size 10",
        "proof consistency --from 3 --to 20",
        "checkpoint",
    };
    std::size_t found_nothing = 0;
    for (const auto& query : queries) {
      for (const std::string format : {"", " --json"}) {
        if (query == "checkpoint" && !format.empty()) continue;  // a signed note: text only
        const auto local = invoke(query + format + " --data " + data);
        const auto remote = invoke(query + format + " --server " + url);
        INFO(query + format);
        CHECK(remote.exit_code == local.exit_code);
        CHECK(remote.out == local.out);
        CHECK_FALSE(local.out.empty());
        if (local.exit_code == 1) ++found_nothing;
      }
    }
    CHECK(found_nothing == 2 * 6);  // the not_found cases (and no other) exit 1 both ways
  }
  SECTION("$ORGLEDGER_SERVER names the server when --data is not given") {
    REQUIRE(setenv("ORGLEDGER_SERVER", url.c_str(), 1) == 0);
    const auto remote = invoke("members acme --json");
    const auto local = invoke("members acme --json --data " + data);  // a flag beats the environment
    REQUIRE(unsetenv("ORGLEDGER_SERVER") == 0);
    CHECK(remote.exit_code == 0);
    CHECK(remote.out == local.out);
  }
  SECTION("events --follow through the server prints each event as it is appended, over SSE") {
    // Follows from past the head, until one more event has come (--limit 1).
    const auto head = json::parse(invoke("verify --json --data " + data).out)["head"]["position"].get<std::uint64_t>();
    const std::string command = std::string("timeout 20 ") + ORGLEDGER_CLI + " events --follow --json --from " +
                                std::to_string(head + 1) + " --limit 1 --server " + url;
    FILE* follow = popen(command.c_str(), "r");
    REQUIRE(follow != nullptr);
    const std::string zed = dir.sub("zed.json");
    std::ofstream(zed) << R"({"type":"RegisterUser","actor":"svc:signup","user":"zed","login":"zed@example.ch"})";
    const auto submitted = invoke("submit --json --server " + url + " --file " + zed);
    REQUIRE(submitted.exit_code == 0);
    std::string out;
    char buffer[4096];
    while (std::size_t got = fread(buffer, 1, sizeof buffer, follow)) out.append(buffer, got);
    const int status = pclose(follow);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);  // not the 124 of timeout: the event came, and the follow ended
    const auto event = json::parse(out);
    CHECK(event["position"] == json::parse(submitted.out)["position"]);
    CHECK(event["type"] == "UserRegistered");
    CHECK(event["via"]["token"] == "desk");
  }
  SECTION("a token without personal_data sees redacted data through the server (G3)") {
    use_new_token(data, "reader", "read,audit");
    const auto user = json::parse(invoke("user erin --json --server " + url).out);
    CHECK(user["login"] == "redacted");
    const auto revealed = json::parse(invoke("user erin --json --reveal-personal-data --data " + data).out);
    CHECK(revealed["login"] == "erin@example.ch");
  }
  SECTION("refusals and bad usage: exit 2, nothing printed on stdout") {
    REQUIRE(setenv("ORGLEDGER_TOKEN", "not-a-token", 1) == 0);
    const auto unauthorized = invoke("members acme --server " + url);
    CHECK(unauthorized.exit_code == 2);
    CHECK(unauthorized.out.empty());
    const auto refused = invoke("submit --server " + url + " --file " + kStory);
    CHECK(refused.exit_code == 2);  // not 1: nothing was judged, the token was not accepted
    CHECK(refused.out.empty());
    CHECK(invoke("members acme --server " + url + " --data " + data).exit_code == 2);
    CHECK(invoke("members acme --server ftp://127.0.0.1:1").exit_code == 2);
    CHECK(invoke("members acme --server http://127.0.0.1:1").exit_code == 2);  // nothing listens there
    CHECK(invoke("checkpoint --at-size 3 --server " + url).exit_code == 2);
    CHECK(invoke("abuse --calendar /dev/null --server " + url).exit_code == 2);
  }
}

TEST_CASE("remote CLI: submit through --server answers as submit on the data directory, while the server runs") {
  TempDir dir;
  const std::string local_data = dir.sub("local"), served_data = dir.sub("served");
  const std::string input = dir.sub("input.jsonl");
  {
    // The story, one line that is no command, and a rejection (dan may not be added twice).
    std::ifstream story(kStory);
    std::ofstream out(input);
    out << story.rdbuf() << "not json\n"
        << R"({"type":"AddMember","actor":"carol","org":"acme","user":"dan","role":"collaborator"})" << "\n";
  }
  const auto local = invoke("submit --json --data " + local_data + " --file " + input);
  invoke("token create --data " + served_data + " --name bootstrap --scopes admin");  // creates the store
  use_new_token(served_data, "writer", "admin");
  ServeProcess server(served_data);
  const std::string url = "http://127.0.0.1:" + std::to_string(server.port());
  const auto remote = invoke("submit --json --server " + url + " --file " + input);
  CHECK(local.exit_code == 1);  // a command was rejected
  CHECK(remote.exit_code == local.exit_code);

  // The same answers, but for the generated command ids and the positions: the served log also
  // holds the tokens' events and whatever its scheduler records meanwhile (A5: r1 is breached).
  auto local_answers = json_lines(local.out);
  auto remote_answers = json_lines(remote.out);
  REQUIRE(local_answers.size() == 26);
  REQUIRE(remote_answers.size() == local_answers.size());
  std::uint64_t last_position = 0;
  for (std::size_t i = 0; i < local_answers.size(); ++i) {
    INFO("command " << i + 1);
    for (auto* answer : {&local_answers[i], &remote_answers[i]}) {
      CHECK((*answer)["command_id"].is_string());
      answer->erase("command_id");
      if (!answer->contains("position")) continue;
      if (answer == &remote_answers[i]) {
        CHECK((*answer)["position"].get<std::uint64_t>() > last_position);  // in the input's order
        last_position = (*answer)["position"].get<std::uint64_t>();
      }
      answer->erase("position");
      if (answer->contains("events")) {
        for (auto& event : (*answer)["events"]) event.erase("position");
      }
    }
    CHECK(remote_answers[i] == local_answers[i]);
  }
  // The log holds the same events, vouched for by the token (D4) rather than the OS user.
  const auto local_events = json_lines(invoke("events --json --reveal-personal-data --data " + local_data).out);
  std::vector<json> served_events;  // the story's: not the tokens' nor the scheduler's
  for (auto& event : json_lines(invoke("events --json --server " + url).out)) {
    if (event["via"]["token"] == "writer") served_events.push_back(std::move(event));
  }
  REQUIRE(served_events.size() == local_events.size());
  for (std::size_t i = 0; i < local_events.size(); ++i) {
    CHECK(served_events[i]["type"] == local_events[i]["type"]);
    CHECK(served_events[i]["data"] == local_events[i]["data"]);
    CHECK(served_events[i]["via"]["token"] == "writer");
  }
  // The same command again through the server: its first answer (idempotency).
  const std::string zed = dir.sub("zed.json");
  std::ofstream(zed) << R"({"type":"RegisterUser","actor":"svc:signup","user":"zed","login":"zed@example.ch","command_id":"c-zed"})";
  const auto once = json::parse(invoke("submit --json --server " + url + " --file " + zed).out);
  const auto twice = json::parse(invoke("submit --json --server " + url + " --file " + zed).out);
  CHECK(once["command_id"] == "c-zed");
  CHECK_FALSE(once.contains("duplicate"));
  CHECK(twice["position"] == once["position"]);
  CHECK(twice["duplicate"] == true);
}

TEST_CASE("remote CLI: an https server is verified against --cacert, and refused without it") {
  TempDir dir;
  const std::string data = dir.sub("data");
  REQUIRE(invoke("submit --data " + data + " --file " + kStory).exit_code == 0);
  use_new_token(data, "desk", "admin");
  const auto certificate = make_self_signed_certificate(dir.path());
  REQUIRE(certificate);
  ServeProcess server(data, {"--tls-cert", certificate->certificate_file, "--tls-key", certificate->key_file});
  const std::string url = "https://127.0.0.1:" + std::to_string(server.port());
  const auto local = invoke("members acme --json --data " + data);
  const auto verified = invoke("members acme --json --server " + url + " --cacert " + certificate->certificate_file);
  CHECK(verified.exit_code == 0);
  CHECK(verified.out == local.out);
  // The system's store does not trust a self-signed certificate: no answer is printed.
  const auto unverified = invoke("members acme --json --server " + url);
  CHECK(unverified.exit_code == 2);
  CHECK(unverified.out.empty());
  // Nor does a name the certificate does not carry (it names 127.0.0.1 only).
  const auto wrong_name = invoke("members acme --json --server https://localhost:" + std::to_string(server.port()) +
                              " --cacert " + certificate->certificate_file);
  CHECK(wrong_name.exit_code == 2);
}
