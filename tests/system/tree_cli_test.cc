// The Merkle tree and checkpoints from the command line (issue 14): `submit` leaves its commands
// signed, `checkpoint`, `proof`, `verify --checkpoint` (exit 1 on a rewrite, a fork or a cut), and
// the auditor's offline check, tools/verify_export.py, with python3-cryptography and with the
// openssl command.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "orgledger/ledger/checkpoint_key.h"
#include "orgledger/ledger/signed_note.h"
#include "raw_store.h"
#include "run_cli.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {


void write_file(const std::string& path, const std::string& text) { std::ofstream(path, std::ios::binary) << text; }

// Registers `users` users through `orgledger submit`, starting at user number `first`.
void submit_users(const std::string& data, int first, int users) {
  std::string lines;
  for (int i = first; i < first + users; ++i) {
    lines += nlohmann::json{{"type", "RegisterUser"}, {"actor", "svc:signup"}, {"user", "u" + std::to_string(i)},
                            {"login", "u" + std::to_string(i) + "@example.ch"}}.dump() + "\n";
  }
  const auto file = data + ".commands";
  write_file(file, lines);
  int code = -1;
  run("submit --data " + data + " --file " + file, &code);
  REQUIRE(code == 0);
}

std::string verifier_key_of(const std::string& data) {
  auto key = ledger::CheckpointKey::load(ledger::Env::system(), data + "/checkpoint.key", false);
  REQUIRE(key);
  auto note = ledger::parse_checkpoint(run("checkpoint --data " + data));
  REQUIRE(note);
  return ledger::verifier_key_text(note->checkpoint.origin, key->public_key());
}

int python_check(const std::string& arguments, std::string* output = nullptr, const std::string& environment = "") {
  const std::string command = environment + " python3 " + ORGLEDGER_SOURCE + "/tools/verify_export.py " + arguments + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  while (std::size_t got = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, got);
  const int status = pclose(pipe);
  if (output) *output = out;
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

}  // namespace

TEST_CASE("cli: submit signs its commands - checkpoint and checkpoint --at-size print the stored notes", "[tree]") {
  TempDir dir;
  const auto data = dir.sub("data");
  submit_users(data, 0, 4);
  submit_users(data, 4, 3);
  int code = -1;
  const auto latest = run("checkpoint --data " + data, &code);
  REQUIRE(code == 0);
  auto note = ledger::parse_checkpoint(latest);
  REQUIRE(note);
  CHECK(note->checkpoint.size == 7);
  CHECK(note->checkpoint.origin.starts_with("orgledger.local/"));
  CHECK(run("checkpoint --at-size 4 --data " + data, &code).starts_with(note->checkpoint.origin + "\n4\n"));
  CHECK(code == 0);
  // not_found: nothing was signed at 8, past the head. (Not 5: a submit that runs for longer than
  // the signing interval, as under load, signs a size in the middle of its commands too.)
  CHECK(run("checkpoint --at-size 8 --data " + data, &code).empty());
  CHECK(code == 1);
  run("checkpoint --at-size x --data " + data, &code);
  CHECK(code == 2);
  auto verifier = ledger::parse_verifier_key(verifier_key_of(data));
  REQUIRE(verifier);
  CHECK(ledger::verify_checkpoint(*note, *verifier));
}

TEST_CASE("cli: proof inclusion and consistency print GET /v1/tree/*'s JSON - bad sizes exit 2", "[tree]") {
  TempDir dir;
  const auto data = dir.sub("data");
  submit_users(data, 0, 6);
  int code = -1;
  auto inclusion = nlohmann::json::parse(run("proof inclusion --position 2 --data " + data, &code));
  CHECK(code == 0);
  CHECK(inclusion["tree_size"] == 6);  // the latest checkpoint's
  CHECK(inclusion["leaf_index"] == 1);
  CHECK(inclusion["path"].size() == 3);
  auto note = ledger::parse_checkpoint(run("checkpoint --data " + data));
  REQUIRE(note);
  CHECK(inclusion["root_hash"] == nlohmann::json::parse(run("proof consistency --from 3 --to 6 --data " + data))["to_root"]);
  auto consistency = nlohmann::json::parse(run("proof consistency --from 3 --to 6 --data " + data, &code));
  CHECK(code == 0);
  CHECK(consistency["from"] == 3);
  CHECK_FALSE(consistency["path"].empty());
  for (const std::string& bad : std::vector<std::string>{"proof inclusion --position 0", "proof inclusion --position 7", "proof inclusion",
                                "proof inclusion --position 3 --tree-size 2", "proof consistency --from 4 --to 3",
                                "proof consistency --from 1", "proof", "proof exclusion --position 1"}) {
    INFO(bad);
    run(bad + " --data " + data, &code);
    CHECK(code == 2);
  }
}

TEST_CASE("cli: verify --checkpoint holds for the log's own checkpoints, past and latest", "[tree]") {
  TempDir dir;
  const auto data = dir.sub("data");
  submit_users(data, 0, 5);
  const auto early = dir.sub("early.checkpoint");
  write_file(early, run("checkpoint --data " + data));
  submit_users(data, 5, 5);
  int code = -1;
  auto out = run("verify --checkpoint " + early + " --data " + data, &code);
  CHECK(code == 0);
  CHECK_THAT(out, Catch::Contains("checkpoint ok: the log contains the tree of"));
  CHECK_THAT(out, Catch::Contains("at size 5, signature verified"));
  auto json = nlohmann::json::parse(run("verify --json --checkpoint " + early + " --public-key " + verifier_key_of(data) + " --data " + data, &code));
  CHECK(code == 0);
  CHECK(json["checkpoint"]["contained"] == true);
  CHECK(json["checkpoint"]["signature"] == "ok");
  CHECK(json["tree_leaves_checked"] == 10);
}

TEST_CASE("cli: verify --checkpoint exits 1 on a forged signature, a fork, a cut and a damaged event", "[tree]") {
  TempDir dir;
  const auto data = dir.sub("data"), other = dir.sub("other");
  submit_users(data, 0, 6);
  submit_users(other, 100, 6);  // another log of the same length
  const auto ours = dir.sub("ours.checkpoint"), theirs = dir.sub("theirs.checkpoint");
  write_file(ours, run("checkpoint --data " + data));
  write_file(theirs, run("checkpoint --data " + other));
  int code = -1;

  SECTION("a checkpoint signed by another key") {
    auto out = run("verify --checkpoint " + theirs + " --data " + data, &code);
    CHECK(code == 1);
    CHECK_THAT(out, Catch::Contains("signature does not verify"));
  }
  SECTION("a fork: the other log's checkpoint, its own key given") {
    auto out = run("verify --json --checkpoint " + theirs + " --public-key " + verifier_key_of(other) + " --data " + data, &code);
    CHECK(code == 1);
    auto json = nlohmann::json::parse(out);
    CHECK(json["ok"] == true);  // the log itself is intact
    CHECK(json["checkpoint"]["contained"] == false);
    CHECK_THAT(json["checkpoint"]["problem"].get<std::string>(), Catch::Contains("rewritten or forked"));
  }
  SECTION("a log cut back behind the checkpoint") {
    { RawStore(data).truncate_to(4); }
    auto out = run("verify --checkpoint " + ours + " --data " + data, &code);
    CHECK(code == 1);
    CHECK_THAT(out, Catch::Contains("the log holds 4 events, the checkpoint 6"));
  }
  SECTION("an event altered under the checkpoint: its leaf is named") {
    { RawStore(data).flip_bit(3, 60, 2); }
    auto out = run("verify --json --checkpoint " + ours + " --data " + data, &code);
    CHECK(code == 1);
    auto json = nlohmann::json::parse(out);
    CHECK(json["first_bad_position"] == 3);
    CHECK(json["checkpoint"]["first_differing_leaf"] == 2);
  }
  SECTION("a malformed checkpoint file is a usage error") {
    write_file(dir.sub("bad.checkpoint"), "hello\n");
    run("verify --checkpoint " + dir.sub("bad.checkpoint") + " --data " + data, &code);
    CHECK(code == 2);
  }
}

TEST_CASE("tools/verify_export.py: an export from position 1 gives the checkpoint's root, whose signature verifies", "[tree]") {
  TempDir dir;
  const auto data = dir.sub("data");
  submit_users(data, 0, 9);
  const auto checkpoint_at_9 = run("checkpoint --data " + data);
  submit_users(data, 9, 4);  // the export may run past the checkpoint
  const auto exported = dir.sub("events.jsonl"), checkpoint = dir.sub("checkpoint");
  write_file(exported, run("export --format jsonl --data " + data));
  write_file(checkpoint, checkpoint_at_9);
  const auto key = verifier_key_of(data);
  std::string out;
  // A module that cannot be imported sends the script to the openssl command.
  const auto no_module = dir.sub("no-cryptography/cryptography");
  std::filesystem::create_directories(no_module);
  write_file(no_module + "/__init__.py", "raise ImportError('hidden for the test')\n");
  for (const std::string& environment : std::vector<std::string>{"", "PYTHONPATH=" + dir.sub("no-cryptography")}) {
    INFO(environment);
    CHECK(python_check(exported + " --checkpoint " + checkpoint + " --public-key '" + key + "'", &out, environment) == 0);
    CHECK_THAT(out, Catch::Contains("checkpoint ok:"));
    CHECK_THAT(out, Catch::Contains("size 9"));

    std::string forged = checkpoint_at_9;  // the size changed: the signature no longer holds
    forged.replace(forged.find("\n9\n"), 3, "\n8\n");
    write_file(dir.sub("forged"), forged);
    CHECK(python_check(exported + " --checkpoint " + dir.sub("forged") + " --public-key '" + key + "'", &out, environment) == 1);
    CHECK_THAT(out, Catch::Contains("signature does not verify"));

    auto bad_signature = checkpoint_at_9;  // one character of the signature changed
    auto& c = bad_signature[bad_signature.size() - 6];
    c = c == 'A' ? 'B' : 'A';
    write_file(dir.sub("bad-signature"), bad_signature);
    CHECK(python_check(exported + " --checkpoint " + dir.sub("bad-signature") + " --public-key '" + key + "'", &out, environment) == 1);
    CHECK_THAT(out, Catch::Contains("signature does not verify"));
  }
  // Input that is not an export, or not a checkpoint, is unusable (2), never a traceback.
  write_file(dir.sub("garbage.jsonl"), "{\"position\": 1}\n");
  CHECK(python_check(dir.sub("garbage.jsonl"), &out) == 2);
  CHECK_THAT(out, Catch::Contains("line 1 is not an exported event"));
  auto plus_size = checkpoint_at_9;
  plus_size.replace(plus_size.find("\n9\n"), 3, "\n+9\n");
  write_file(dir.sub("plus"), plus_size);
  CHECK(python_check(exported + " --checkpoint " + dir.sub("plus") + " --public-key '" + key + "'", &out) == 2);
  // An export of another log does not give the root.
  const auto other = dir.sub("other");
  submit_users(other, 50, 9);
  write_file(dir.sub("other.jsonl"), run("export --format jsonl --data " + other));
  CHECK(python_check(dir.sub("other.jsonl") + " --checkpoint " + checkpoint + " --public-key '" + key + "'", &out) == 1);
  CHECK_THAT(out, Catch::Contains("not the checkpoint's"));
  // An export that stops short of the checkpoint.
  write_file(dir.sub("short.jsonl"), run("export --format jsonl --to 5 --data " + data));
  CHECK(python_check(dir.sub("short.jsonl") + " --checkpoint " + checkpoint + " --public-key '" + key + "'", &out) == 1);
  CHECK_THAT(out, Catch::Contains("holds 5 events; the checkpoint covers 9"));
}
