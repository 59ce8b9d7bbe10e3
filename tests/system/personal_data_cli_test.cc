// G1–G4 with the real binaries: no plaintext personal data in any file of the data directory after
// a server has run, snapshotted and exported; a crash (SIGKILL) between the forget event and the
// key's destruction is finished at the next start; a store written before G1 opens, verifies with
// a warning (G4) and shows its clear logins to those who may see them; the CLI's queries, reveal
// flags and `keys rotate-master`.
#include <signal.h>
#include <sys/wait.h>
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "golden_file.h"
#include "sample_events.h"
#include "http_client.h"
#include "orgledger/commands/processor.h"
#include "orgledger/vault/vault.h"
#include "run_cli.h"
#include "serve_process.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;
using nlohmann::json;

namespace {

constexpr std::size_t kEventsBeforeG1 = 36;  // one_of_each_event()'s first ones


std::string base64_of(const std::string& text) {
  static const char* kAlphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  std::string out;
  std::size_t i = 0;
  for (; i + 2 < text.size(); i += 3) {
    const unsigned v = (static_cast<unsigned char>(text[i]) << 16) | (static_cast<unsigned char>(text[i + 1]) << 8) |
                       static_cast<unsigned char>(text[i + 2]);
    for (int s = 18; s >= 0; s -= 6) out += kAlphabet[(v >> s) & 63];
  }
  if (i < text.size()) {
    unsigned v = static_cast<unsigned char>(text[i]) << 16;
    if (i + 1 < text.size()) v |= static_cast<unsigned char>(text[i + 1]) << 8;
    out += kAlphabet[(v >> 18) & 63];
    out += kAlphabet[(v >> 12) & 63];
    out += i + 1 < text.size() ? kAlphabet[(v >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

// Every file under `dir` whose raw bytes contain `needle`.
std::vector<std::string> files_holding(const std::string& dir, const std::string& needle) {
  std::vector<std::string> out;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir)) {
    if (!entry.is_regular_file()) continue;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), {});
    if (bytes.find(needle) != std::string::npos) out.push_back(entry.path().string());
  }
  return out;
}

}  // namespace

TEST_CASE("G1 system: no personal data in clear in any file of the data directory after serve, snapshots and export") {
  TempDir dir;
  const std::string data = dir.sub("data");
  const std::vector<std::string> markers{"login-zq81@example.ch", "reporter-zq82", "+41 79 000 zq83", "document-zq84"};
  {
    ServeProcess server(data);  // a snapshot every 10 events
    const auto created = json::parse(run("token create --data " + data + " --name desk --scopes admin --act-as '*' --json"));
    HttpClient client(server.port(), created["token"]);
    auto submit = [&](const json& command) { REQUIRE(client.post("/v1/commands", command.dump()).status == 200); };
    submit({{"type", "RegisterUser"}, {"actor", "svc:signup"}, {"user", "dana"}, {"login", markers[0]}});
    submit({{"type", "RegisterUser"}, {"actor", "svc:signup"}, {"user", "erin"}, {"login", "erin@example.ch"}});
    submit({{"type", "CreateOrganization"}, {"actor", "dana"}, {"org", "acme"}, {"name", "Acme"}});
    submit({{"type", "FileAbuseReport"}, {"actor", "svc:abuse-desk"}, {"report", "r1"},
            {"received_at", "2026-11-30T10:00:00Z"}, {"category", "spam"},
            {"reporter", {{"name", markers[1]}, {"phone", markers[2]}}}});
    submit({{"type", "OpenIdentityVerification"}, {"actor", "svc:kcheck"}, {"case", "k1"}, {"user", "dana"},
            {"reason", "disable_2fa"}});
    submit({{"type", "SubmitIdentityDocuments"}, {"actor", "dana"}, {"case", "k1"},
            {"documents", json::array({{{"kind", "id_card"}, {"content", base64_of(markers[3])}}})}});
    for (int i = 0; i < 8; ++i) {  // enough commands for a few snapshots
      submit({{"type", "AddMember"}, {"actor", "dana"}, {"org", "acme"}, {"user", "erin"}, {"role", "collaborator"}});
      submit({{"type", "RemoveMember"}, {"actor", "dana"}, {"org", "acme"}, {"user", "erin"}});
    }
    // The scopes see it in clear: the data is there, only not in clear on disk.
    CHECK(client.get("/v1/users/dana").json()["login"] == markers[0]);
    CHECK(server.stop_with(SIGTERM) == 0);  // a snapshot at shutdown too
  }
  int code = -1;
  const auto exported = run("export --data " + data + " --format jsonl --reveal-personal-data", &code);
  CHECK(code == 0);
  CHECK(exported.find(markers[0]) != std::string::npos);  // revealed to the local operator
  const auto redacted = run("export --data " + data + " --format csv", &code);
  CHECK(code == 0);
  for (const auto& marker : markers) {
    INFO(marker);
    CHECK(redacted.find(marker) == std::string::npos);
    CHECK(redacted.find(base64_of(marker)) == std::string::npos);
    CHECK(files_holding(data, marker).empty());
    CHECK(files_holding(data, base64_of(marker)).empty());
  }
  // The scan can fail: a name the events hold in clear is found.
  CHECK_FALSE(files_holding(data, "Acme").empty());
}

TEST_CASE("G2 system: SIGKILL between the forget event and the key's destruction - the next start destroys it") {
  TempDir dir;
  const std::string data = dir.sub("data");
  FILE* child = popen((std::string(ORGLEDGER_FORGET_CRASHER) + " " + data).c_str(), "r");
  REQUIRE(child != nullptr);
  char line[256] = {};
  const bool printed = std::fgets(line, sizeof line, child) != nullptr;
  const int status = pclose(child);
  REQUIRE(printed);
  const std::string key = std::string(line).substr(0, 32);
  // Killed by SIGKILL: directly, or as the shell that ran it reports it (128 + 9).
  CHECK(((WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL) || (WIFEXITED(status) && WEXITSTATUS(status) == 128 + SIGKILL)));
  {
    auto keys = vault::Vault::open({.directory = data + "/vault", .mode = vault::Mode::read_only}).value();
    CHECK(keys->has_key(key));  // the crash left it
  }
  // Before any restart, the command line reads the log too: forgotten, whatever the vault holds.
  int exported = -1;
  const auto before_restart = run("export --data " + data + " --format jsonl --reveal-personal-data", &exported);
  CHECK(exported == 0);
  CHECK(before_restart.find("crash-marker") == std::string::npos);
  CHECK(before_restart.find("\"login\":\"forgotten\"") != std::string::npos);
  // The next start (here `orgledger submit`, which starts the processor) finishes the destruction.
  int code = -1;
  run("submit --data " + data + " < /dev/null", &code);
  CHECK(code == 0);
  auto keys = vault::Vault::open({.directory = data + "/vault", .mode = vault::Mode::read_only}).value();
  CHECK_FALSE(keys->has_key(key));
  CHECK(keys->forgotten("user:dana"));
  const auto shown = json::parse(run("user dana --data " + data + " --reveal-personal-data --json"));
  CHECK(shown["login"] == "forgotten");
  CHECK(files_holding(data, "crash-marker").empty());
  run("verify --data " + data, &code);
  CHECK(code == 0);
}

TEST_CASE("G4 system: a store written before G1 opens, verifies with a warning, and its clear logins obey G3") {
  TempDir dir;
  const std::string data = dir.sub("old");
  {
    // The events of the builds before G1 (the golden file's and D4/D5's), as they wrote them: a
    // login and a reporter in clear, and no vault.
    auto log = ledger::Ledger::open(data).value();
    const auto samples = one_of_each_event();
    for (std::size_t i = 0; i < kEventsBeforeG1; ++i) REQUIRE(log->append(golden_command(i, samples[i])));
  }
  int code = -1;
  const auto verified = run("verify --data " + data, &code);
  CHECK(code == 0);
  CHECK(verified.find("warning") != std::string::npos);
  CHECK(verified.find("positions 1, 27") != std::string::npos);
  const auto as_json = json::parse(run("verify --data " + data + " --json", &code));
  CHECK(code == 0);
  CHECK(as_json["ok"] == true);
  CHECK(as_json["clear_personal_data_positions"] == json::array({1, 27}));
  CHECK(json::parse(run("user carol --data " + data + " --json"))["login"] == "redacted");
  CHECK(json::parse(run("user carol --data " + data + " --json --reveal-personal-data"))["login"] == "carol@example.ch");
  const auto events = run("events --data " + data + " --limit 1 --json");
  CHECK(events.find("carol@example.ch") == std::string::npos);
  CHECK(events.find("\"login\":\"redacted\"") != std::string::npos);
  // Forgetting a user of the old store: the clear login stays in the log (G4), shown as forgotten.
  std::ofstream(dir.sub("forget.jsonl")) << "{\"type\":\"ForgetSubject\",\"actor\":\"svc:privacy\",\"subject\":\"user:carol\"}\n";
  run("submit --data " + data + " --file " + dir.sub("forget.jsonl"), &code);
  CHECK(code == 0);
  CHECK(json::parse(run("user carol --data " + data + " --json --reveal-personal-data"))["login"] == "forgotten");
  const auto after = run("verify --data " + data, &code);
  CHECK(code == 0);
  CHECK(after.find("positions 1, 27") != std::string::npos);
}

TEST_CASE("CLI: identity-verification, order, renewals and keys rotate-master on a local data directory") {
  TempDir dir;
  const std::string data = dir.sub("data");
  int code = -1;
  const std::string commands =
      "{\"type\":\"RegisterUser\",\"actor\":\"svc:signup\",\"user\":\"dana\",\"login\":\"dana@example.ch\"}\n"
      "{\"type\":\"CreateOrganization\",\"actor\":\"dana\",\"org\":\"acme\",\"name\":\"Acme\"}\n"
      "{\"type\":\"BlockOrder\",\"actor\":\"svc:billing\",\"order\":\"o1\",\"org\":\"acme\",\"reason\":\"review\"}\n"
      "{\"type\":\"OpenIdentityVerification\",\"actor\":\"svc:kcheck\",\"case\":\"k1\",\"user\":\"dana\",\"reason\":\"first_payout\"}\n"
      "{\"type\":\"SubmitIdentityDocuments\",\"actor\":\"dana\",\"case\":\"k1\",\"documents\":[{\"kind\":\"selfie\",\"content\":\"" +
      base64_of("selfie-bytes") + "\"}]}\n";
  std::ofstream(dir.sub("commands.jsonl")) << commands;
  run("submit --data " + data + " --file " + dir.sub("commands.jsonl"), &code);
  REQUIRE(code == 0);
  auto order = json::parse(run("order o1 --data " + data + " --json", &code));
  CHECK(code == 0);
  CHECK(order["state"] == "blocked");
  CHECK_FALSE(order["cancel_at"].is_null());
  auto redacted = json::parse(run("identity-verification k1 --data " + data + " --json"));
  CHECK(redacted["documents"][0]["content"] == "redacted");
  auto revealed = json::parse(run("identity-verification k1 --data " + data + " --json --reveal-personal-data"));
  CHECK(revealed["documents"][0]["content"] == base64_of("selfie-bytes"));
  CHECK(revealed["state"] == "submitted");
  run("order o9 --data " + data + " --json", &code);
  CHECK(code == 1);
  // B4 on the command line: a product without an expiry, active, auto-renewal off.
  std::ofstream(dir.sub("product.jsonl"))
      << "{\"type\":\"RegisterProduct\",\"actor\":\"svc:billing\",\"org\":\"acme\",\"product\":\"p-host\","
         "\"kind\":\"hosting\",\"expires_at\":\"2030-01-01T00:00:00Z\"}\n"
         "{\"type\":\"EnableAutoRenewal\",\"actor\":\"dana\",\"org\":\"acme\",\"product\":\"p-host\","
         "\"payment_method\":\"twint\"}\n";
  run("submit --data " + data + " --file " + dir.sub("product.jsonl"), &code);
  REQUIRE(code == 0);
  auto renewals = json::parse(run("renewals acme --data " + data + " --json", &code));
  CHECK(code == 0);
  CHECK(renewals["products"][0]["product"] == "p-host");
  CHECK(renewals["products"][0]["auto_renewal"]["payment_method"] == "twint");
  CHECK(renewals["products"][0]["auto_renewal"]["first_attempt_at"] == "2029-12-18T00:00:00.000000Z");
  CHECK(json::parse(run("renewals acme --data " + data + " --json --at 2030-01-01T00:00:00Z"))["products"][0]["state"] == "expired");
  // Rotation: every key re-wrapped, no event changed, everything still reads.
  const auto verified_before = json::parse(run("verify --data " + data + " --json"))["head"];
  const auto rotated = run("keys rotate-master --data " + data, &code);
  CHECK(code == 0);
  CHECK(rotated.find("re-wrapped") != std::string::npos);
  CHECK(json::parse(run("verify --data " + data + " --json"))["head"] == verified_before);
  CHECK(json::parse(run("user dana --data " + data + " --json --reveal-personal-data"))["login"] == "dana@example.ch");
  // Under another master key than the store's, the vault does not open: revealing is an I/O error.
  std::ofstream(dir.sub("other.key")) << std::string(64, 'a') << "\n";
  run("user dana --data " + data + " --json --reveal-personal-data --master-key-file " + dir.sub("other.key"), &code);
  CHECK(code == 2);
  run("keys spin --data " + data, &code);
  CHECK(code == 2);
}
