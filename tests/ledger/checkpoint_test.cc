// Signed checkpoints (issue 14, API.md "The Merkle tree and signed checkpoints"): the C2SP note
// format checked against published vectors and a second Ed25519 implementation (the `openssl`
// command), and the signer's rules: at a command's end, at most once per interval, never smaller
// than before — across restarts — and never over a store cut back behind its last checkpoint.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "commands.h"
#include "orgledger/ledger/base64.h"
#include "orgledger/ledger/checkpoint_log.h"
#include "orgledger/ledger/checkpointer.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/signed_note.h"
#include "raw_store.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace std::chrono_literals;

namespace {

void write_file(const std::string& path, const std::string& bytes) {
  std::ofstream(path, std::ios::binary) << bytes;
}

std::unique_ptr<ledger::Ledger> open_with(const testing::TempDir& dir, int events, int first = 0) {
  auto log = ledger::Ledger::open(dir.sub("data"));
  REQUIRE(log);
  for (int i = first; i < first + events; ++i) {
    REQUIRE((*log)->append(testing::member_added("c" + std::to_string(i), "org:o" + std::to_string(i % 3), "u" + std::to_string(i))));
  }
  return std::move(*log);
}

// Waits (up to 5 s) until the signer has caught up with the head.
void wait_signed(const ledger::Checkpointer& signer, const ledger::Ledger& log) {
  for (int i = 0; i < 500 && signer.latest_size() < log.head().position; ++i) std::this_thread::sleep_for(10ms);
  REQUIRE(signer.latest_size() == log.head().position);
}

ledger::SignedCheckpoint parse(const std::string& note) {
  auto parsed = ledger::parse_checkpoint(note);
  REQUIRE(parsed);
  return *parsed;
}

// Verifies `body` and `signature` with the openssl command (a second Ed25519 implementation),
// against the public half of the PEM private key `key_file`.
bool openssl_verifies(const testing::TempDir& dir, const std::string& key_file, const std::string& body, const std::string& signature) {
  write_file(dir.sub("body"), body);
  write_file(dir.sub("signature"), signature);
  const std::string pub = dir.sub("public.pem");
  if (std::system(("openssl pkey -in '" + key_file + "' -pubout -out '" + pub + "' 2>/dev/null").c_str()) != 0) return false;
  return std::system(("openssl pkeyutl -verify -pubin -inkey '" + pub + "' -rawin -in '" + dir.sub("body") +
                      "' -sigfile '" + dir.sub("signature") + "' >/dev/null 2>&1").c_str()) == 0;
}

}  // namespace

TEST_CASE("checkpoint notes: the verifier key and note of C2SP's published example parse and verify", "[checkpoint]") {
  // golang.org/x/mod/sumdb/note's example, the reference implementation of signed notes.
  auto verifier = ledger::parse_verifier_key("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  REQUIRE(verifier);
  CHECK(verifier->name == "PeterNeumann");
  CHECK(ledger::verifier_key_text(verifier->name, verifier->key) == "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW");
  const std::string body = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
  auto signature = ledger::decode_base64("x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=");
  REQUIRE(signature);
  CHECK(signature->substr(0, 4) == std::string(reinterpret_cast<const char*>(verifier->key_id.data()), 4));
  CHECK(ledger::ed25519_verifies(verifier->key, body, signature->substr(4)));
  CHECK_FALSE(ledger::ed25519_verifies(verifier->key, body + " ", signature->substr(4)));
  // A key id that does not belong to the key is refused.
  CHECK_FALSE(ledger::parse_verifier_key("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"));
  CHECK_FALSE(ledger::parse_verifier_key("PeterNeumann+c74f20a3"));
  // Base64 may hold '+': the name ends at the first one.
  ledger::PublicKey plus_key{};
  plus_key.fill(0xfb);  // base64 "+/v7…"
  const auto text = ledger::verifier_key_text("example.com/log", plus_key);
  CHECK(text.find('+', text.find('+', text.find('+') + 1) + 1) != std::string::npos);
  auto parsed = ledger::parse_verifier_key(text);
  REQUIRE(parsed);
  CHECK(parsed->key == plus_key);
  CHECK_FALSE(ledger::valid_key_name("a b"));
  CHECK_FALSE(ledger::valid_key_name("a+b"));
}

TEST_CASE("checkpoint notes: malformed notes are refused with what is wrong", "[checkpoint]") {
  const std::string root = ledger::base64(std::string(32, 'r'));
  const std::string sig = "\xE2\x80\x94 o " + ledger::base64(std::string(68, 's')) + "\n";
  CHECK(ledger::parse_checkpoint("o\n5\n" + root + "\n\n" + sig));
  CHECK(ledger::parse_checkpoint("o\n5\n" + root + "\nextension line\n\n" + sig));
  CHECK_FALSE(ledger::parse_checkpoint("o\n5\n" + root + "\n\n"));               // no signature
  CHECK_FALSE(ledger::parse_checkpoint("o\n05\n" + root + "\n\n" + sig));        // leading zero
  CHECK_FALSE(ledger::parse_checkpoint("o\n18446744073709551616\n" + root + "\n\n" + sig));
  CHECK_FALSE(ledger::parse_checkpoint("o\n5\nAAAA\n\n" + sig));                  // not 32 bytes
  CHECK_FALSE(ledger::parse_checkpoint("o\n5\n" + root + "\n\n- o AAAA\n"));     // not an em dash
  CHECK_FALSE(ledger::parse_checkpoint("o\n5\n" + root + "\n\n" + sig.substr(0, sig.size() - 1)));  // no final newline
  CHECK_FALSE(ledger::parse_checkpoint("o\n5\n\n" + sig));
}

TEST_CASE("checkpointer: signs the head as <origin, size, root>, verifiable by openssl, stored by size", "[checkpoint]") {
  testing::TempDir dir;
  auto log = open_with(dir, 7);
  auto signer = ledger::Checkpointer::start(*log, {});
  REQUIRE(signer);
  REQUIRE((*signer)->latest_size() == 7);  // the head at start is signed at once

  const auto log_id = log->log_id();
  REQUIRE(log_id);
  CHECK(log_id->size() == 16);
  CHECK(log_id->find_first_not_of("0123456789abcdef") == std::string::npos);
  CHECK((*signer)->origin() == "orgledger.local/" + *log_id);

  const auto note = parse(*(*signer)->latest());
  CHECK(note.body == (*signer)->origin() + "\n7\n" + ledger::base64(*log->tree_root(7)) + "\n");
  REQUIRE(note.signatures.size() == 1);
  auto verifier = ledger::parse_verifier_key((*signer)->verifier_key());
  REQUIRE(verifier);
  CHECK(ledger::verify_checkpoint(note, *verifier));
  const std::string key_file = dir.sub("data/checkpoint.key");
  CHECK(openssl_verifies(dir, key_file, note.body, note.signatures[0].signature));

  struct stat status{};
  REQUIRE(::stat(key_file.c_str(), &status) == 0);
  CHECK((status.st_mode & 0777) == 0600);

  SECTION("a tampered body, size or signature fails, here and in openssl") {
    auto tampered = note;
    tampered.body[tampered.body.size() - 3] ^= 1;
    CHECK_FALSE(ledger::verify_checkpoint(tampered, *verifier));
    CHECK_FALSE(openssl_verifies(dir, key_file, tampered.body, note.signatures[0].signature));
    auto other_size = ledger::parse_checkpoint(std::string(*(*signer)->latest()).replace(note.body.find("\n7\n"), 3, "\n8\n"));
    REQUIRE(other_size);
    CHECK_FALSE(ledger::verify_checkpoint(*other_size, *verifier));
    CHECK_FALSE(openssl_verifies(dir, key_file, other_size->body, note.signatures[0].signature));
    auto bad_signature = note;
    bad_signature.signatures[0].signature[10] ^= 0x40;
    CHECK_FALSE(ledger::verify_checkpoint(bad_signature, *verifier));
    CHECK_FALSE(openssl_verifies(dir, key_file, note.body, bad_signature.signatures[0].signature));
  }
  SECTION("growth is signed at a group's end and stored under its size") {
    for (int i = 7; i < 12; ++i) REQUIRE(log->append(testing::member_added("c" + std::to_string(i), "org:o", "v" + std::to_string(i))));
    wait_signed(**signer, *log);
    const auto stored = ledger::CheckpointLog(*log).at_size(12);
    REQUIRE(stored);
    REQUIRE(stored->has_value());
    CHECK(**stored == *(*signer)->latest());
    CHECK(ledger::CheckpointLog(*log).at_size(7).value() .has_value());
    CHECK_FALSE(ledger::CheckpointLog(*log).at_size(9).value().has_value());
  }
}

TEST_CASE("checkpointer: at most one signature per interval while the log grows, never more than one behind", "[checkpoint]") {
  testing::TempDir dir;
  auto log = open_with(dir, 1);
  auto signer = ledger::Checkpointer::start(*log, {.interval = 300ms});
  REQUIRE(signer);
  const auto started = std::chrono::steady_clock::now();
  int appended = 1;
  while (std::chrono::steady_clock::now() - started < 1500ms) {
    REQUIRE(log->append(testing::member_added("g" + std::to_string(appended), "org:o", "u")));
    ++appended;
    std::this_thread::sleep_for(2ms);
  }
  const auto elapsed = std::chrono::steady_clock::now() - started;
  wait_signed(**signer, *log);
  int signed_count = 0;
  for (int size = 1; size <= appended; ++size) signed_count += ledger::CheckpointLog(*log).at_size(size).value().has_value();
  // One at start, then at most one per 300 ms of growth, plus the catch-up after the last append.
  CHECK(signed_count <= 2 + static_cast<int>(elapsed / 300ms) + 1);
  CHECK(signed_count >= 3);
}

TEST_CASE("checkpointer: never signs a smaller size, across restarts, and signs the last append at shutdown", "[checkpoint]") {
  testing::TempDir dir;
  {
    auto log = open_with(dir, 5);
    // An interval longer than the test: only the stop can sign the last append.
    auto signer = ledger::Checkpointer::start(*log, {.interval = std::chrono::seconds(60)});
    REQUIRE(signer);
    REQUIRE((*signer)->latest_size() == 5);
    REQUIRE(log->append(testing::member_added("late", "org:o", "late")));
    std::this_thread::sleep_for(50ms);
    REQUIRE((*signer)->latest_size() == 5);
    signer->reset();
    CHECK(ledger::CheckpointLog(*log).latest().value()->size == 6);
  }
  auto log = ledger::Ledger::open(dir.sub("data"));
  REQUIRE(log);
  auto signer = ledger::Checkpointer::start(**log, {.interval = 10ms});
  REQUIRE(signer);
  CHECK((*signer)->latest_size() == 6);
  REQUIRE((*log)->append(testing::member_added("after", "org:o", "after")));
  wait_signed(**signer, **log);
  CHECK((*signer)->latest_size() == 7);
}

TEST_CASE("checkpointer: a store cut back behind its last checkpoint is refused, even without its stored checkpoints", "[checkpoint]") {
  testing::TempDir dir;
  {
    auto log = open_with(dir, 9);
    REQUIRE(ledger::Checkpointer::start(*log, {}));
  }
  bool drop_stored = GENERATE(false, true);
  {
    testing::RawStore raw(dir.sub("data"));
    raw.truncate_to(6);
    // A store restored from an older copy has no trace of the later checkpoint: the signer's own
    // record beside the key still has.
    if (drop_stored) raw.drop_checkpoints();
  }
  auto log = ledger::Ledger::open(dir.sub("data"));
  REQUIRE(log);
  auto signer = ledger::Checkpointer::start(**log, {});
  REQUIRE_FALSE(signer);
  CHECK(signer.error().code == ledger::ErrorCode::corrupt);
  CHECK_THAT(signer.error().message, Catch::Contains("holds 6 events, but a checkpoint of size 9 was signed"));
  CHECK_THAT(signer.error().message, Catch::Contains("cut back or restored from an older copy"));
}

TEST_CASE("checkpointer: a log rewritten under its signed size is refused", "[checkpoint]") {
  testing::TempDir dir, other;
  { auto log = open_with(dir, 4); REQUIRE(ledger::Checkpointer::start(*log, {})); }
  { auto log = open_with(other, 4, 100); }
  // The other log, of the same length, put where this one's signer expects its own.
  std::filesystem::remove_all(dir.sub("data/store"));
  for (const auto& entry : std::filesystem::directory_iterator(dir.sub("data"))) {
    const auto name = entry.path().filename().string();
    if (!name.starts_with("checkpoint.key")) std::filesystem::remove_all(entry.path());
  }
  for (const auto& entry : std::filesystem::directory_iterator(other.sub("data"))) {
    const auto name = entry.path().filename().string();
    if (!name.starts_with("checkpoint.key")) {
      std::filesystem::copy(entry.path(), dir.sub("data/" + name), std::filesystem::copy_options::recursive);
    }
  }
  auto log = ledger::Ledger::open(dir.sub("data"));
  REQUIRE(log);
  auto signer = ledger::Checkpointer::start(**log, {});
  REQUIRE_FALSE(signer);
  CHECK_THAT(signer.error().message, Catch::Contains("the log was rewritten"));
}

TEST_CASE("checkpointer: a key given by file is used as is, a missing one is an error, a new key cosigns the latest checkpoint", "[checkpoint]") {
  testing::TempDir dir;
  auto log = open_with(dir, 3);
  const std::string given = dir.sub("given.pem");
  REQUIRE(std::system(("openssl genpkey -algorithm ed25519 -out '" + given + "' 2>/dev/null").c_str()) == 0);
  auto missing = ledger::Checkpointer::start(*log, {.key_file = dir.sub("absent.pem")});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ledger::ErrorCode::not_found);
  write_file(dir.sub("not-a-key.pem"), "hello\n");
  CHECK_FALSE(ledger::Checkpointer::start(*log, {.key_file = dir.sub("not-a-key.pem")}));
  CHECK(ledger::Checkpointer::start(*log, {.origin = "a+b", .key_file = given}).error().code == ledger::ErrorCode::invalid_argument);
  // A key under a passphrase is refused, never prompted for.
  const std::string locked = dir.sub("locked.pem");
  REQUIRE(std::system(("openssl genpkey -algorithm ed25519 -aes-128-cbc -pass pass:secret -out '" + locked + "' 2>/dev/null").c_str()) == 0);
  auto prompted = ledger::Checkpointer::start(*log, {.key_file = locked});
  REQUIRE_FALSE(prompted);
  CHECK_THAT(prompted.error().message, Catch::Contains("without a passphrase"));

  std::string first_verifier;
  {
    auto first = ledger::Checkpointer::start(*log, {});  // signs size 3 with the data directory's key
    REQUIRE(first);
    first_verifier = (*first)->verifier_key();
  }
  SECTION("the same origin under another key: the latest checkpoint is cosigned, nothing signed before is lost") {
    auto signer = ledger::Checkpointer::start(*log, {.key_file = given});
    REQUIRE(signer);
    CHECK((*signer)->latest_size() == 3);
    const auto note = parse(*(*signer)->latest());
    REQUIRE(note.signatures.size() == 2);
    CHECK(ledger::verify_checkpoint(note, *ledger::parse_verifier_key(first_verifier)));
    CHECK(ledger::verify_checkpoint(note, *ledger::parse_verifier_key((*signer)->verifier_key())));
    CHECK(openssl_verifies(dir, given, note.body, note.signatures[1].signature));
    CHECK(ledger::CheckpointLog(*log).at_size(3).value() == *(*signer)->latest());
  }
  SECTION("another origin: the next growth is signed under it") {
    auto signer = ledger::Checkpointer::start(*log, {.origin = "example.com/audit", .key_file = given, .interval = 10ms});
    REQUIRE(signer);
    CHECK(parse(*(*signer)->latest()).checkpoint.origin != "example.com/audit");
    REQUIRE(log->append(testing::member_added("grown", "org:o", "g")));
    wait_signed(**signer, *log);
    const auto note = parse(*(*signer)->latest());
    CHECK(note.checkpoint.origin == "example.com/audit");
    CHECK(ledger::verify_checkpoint(note, *ledger::parse_verifier_key((*signer)->verifier_key())));
    CHECK(openssl_verifies(dir, given, note.body, note.signatures[0].signature));
  }
}

TEST_CASE("checkpointer: a store from before checkpoints gets its log id at its first open for writing, and its head signed", "[checkpoint]") {
  testing::TempDir dir;
  { auto log = open_with(dir, 5); }
  std::string before;
  {
    testing::RawStore raw(dir.sub("data"));
    before = raw.get_meta("log_id");
    raw.delete_meta("log_id");  // as the builds before issue 14 left it
    raw.drop_checkpoints();
  }
  {
    auto read_only = ledger::Ledger::open(dir.sub("data"), {.mode = ledger::OpenMode::read_only});
    REQUIRE(read_only);
    CHECK((*read_only)->log_id().value().empty());
    CHECK_FALSE(ledger::CheckpointLog(**read_only).latest().value());
  }
  auto log = ledger::Ledger::open(dir.sub("data"));
  REQUIRE(log);
  const auto id = (*log)->log_id().value();
  CHECK(id.size() == 16);
  CHECK(id != before);
  auto signer = ledger::Checkpointer::start(**log, {});
  REQUIRE(signer);
  CHECK((*signer)->latest_size() == 5);
  CHECK((*signer)->origin() == "orgledger.local/" + id);
}

TEST_CASE("checkpointer: a checkpoint recorded beside the key but not yet in the store (a crash between) is stored at the next start", "[checkpoint]") {
  testing::TempDir dir;
  std::string signed_at_8;
  {
    auto log = open_with(dir, 5);
    auto signer = ledger::Checkpointer::start(*log, {.interval = std::chrono::milliseconds(0)});
    REQUIRE(signer);
    for (int i = 5; i < 8; ++i) REQUIRE(log->append(testing::member_added("c" + std::to_string(i), "org:o", "v")));
    wait_signed(**signer, *log);
    signed_at_8 = *(*signer)->latest();
  }
  {
    testing::RawStore raw(dir.sub("data"));
    raw.drop_checkpoints();  // the store lost it; the signer's record (checkpoint.key.latest) did not
  }
  auto log = ledger::Ledger::open(dir.sub("data"));
  REQUIRE(log);
  REQUIRE(ledger::Checkpointer::start(**log, {}));
  const auto stored = ledger::CheckpointLog(**log).at_size(8);
  REQUIRE(stored);
  REQUIRE(stored->has_value());
  CHECK(**stored == signed_at_8);
}

TEST_CASE("checkpoint key: a key made from a seed (as a cluster shares it) is saved as openssl reads it, never over a file", "[checkpoint]") {
  testing::TempDir dir;
  std::array<std::uint8_t, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(i * 7 + 1);
  auto key = ledger::CheckpointKey::from_seed(seed);
  REQUIRE(key);
  CHECK(key->seed().value() == seed);
  CHECK(ledger::CheckpointKey::from_seed(seed)->public_key() == key->public_key());  // the seed is the whole key

  const std::string path = dir.sub("adopted.key");
  REQUIRE(key->save(ledger::Env::system(), path));
  struct stat info{};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0777) == 0600);
  auto loaded = ledger::CheckpointKey::load(ledger::Env::system(), path, /*create=*/false);
  REQUIRE(loaded);
  CHECK(loaded->public_key() == key->public_key());
  const std::string body = "example.com/log\n1\nAAAA\n";
  CHECK(openssl_verifies(dir, path, body, key->sign(body).value()));

  auto other = ledger::CheckpointKey::load(ledger::Env::system(), dir.sub("other.key"), /*create=*/true);
  REQUIRE(other);
  CHECK_FALSE(other->save(ledger::Env::system(), path));  // an existing key file is never replaced
  CHECK(ledger::CheckpointKey::load(ledger::Env::system(), path, false)->public_key() == key->public_key());
}
