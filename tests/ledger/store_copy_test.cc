// Issue 18, catch-up past the stream's retention (store_copy.h): a node takes a whole copy of a
// peer's store, receives it file by file beside its own, and the next open swaps it in. The copy is
// the peer's log exactly (head, chain, tree, command answers, log id); what lives beside the store
// (the vault, the keys) stays; and an install cut short at any file operation is finished by the
// next open, which never shows a mix of the two stores.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>

#include "commands.h"
#include "fault_env.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/store_copy.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;
namespace fs = std::filesystem;

namespace {

void fill(ledger::Ledger& log, const std::string& prefix, int commands) {
  for (int i = 0; i < commands; ++i) {
    auto appended = log.append(member_added(prefix + std::to_string(i), "org:" + std::to_string(i % 5), prefix));
    REQUIRE(appended);
  }
}

// What a node receives from its peer, as the cluster's copy service moves it: in small chunks.
void receive(ledger::Env& env, const std::string& copy_directory, const std::vector<ledger::CopyFile>& files,
             const std::string& store) {
  REQUIRE(ledger::begin_incoming_copy(env, store));
  std::vector<std::string> names;
  for (const auto& file : files) {
    auto out = ledger::IncomingCopyFile::create(env, store, file.name);
    REQUIRE(out);
    for (std::uint64_t offset = 0; offset < file.size;) {
      auto chunk = ledger::read_copy_chunk(env, copy_directory + "/" + file.name, offset, 4096);
      REQUIRE(chunk);
      REQUIRE(!chunk->empty());
      REQUIRE(out->append(*chunk));
      offset += chunk->size();
    }
    REQUIRE(out->finish());
    names.push_back(file.name);
  }
  REQUIRE(ledger::complete_incoming_copy(env, store, names));
}

struct Fingerprint {
  ledger::Position position = 0;
  ledger::Hash head_hash{};
  ledger::Hash root{};
  std::string log_id;
  std::uint64_t sequence = 0;
  bool operator==(const Fingerprint&) const = default;
};

Fingerprint fingerprint(const ledger::Ledger& log) {
  return {log.head().position, log.head().hash, log.tree_root(log.head().position).value(), log.log_id().value(), log.replication_sequence()};
}

// A peer's store (120 commands) and a node's own, older store (20 others), with files beside it.
// `node_running`: the node's store stays open while it receives the copy, as in a server.
struct Stores {
  TempDir peer_dir, node_dir;
  Fingerprint peer, node;
  std::unique_ptr<ledger::Ledger> node_log;
  explicit Stores(bool node_running = false) {
    auto peer_log = ledger::Ledger::open(peer_dir.path()).value();
    fill(*peer_log, "peer-", 120);
    peer = fingerprint(*peer_log);
    node_log = ledger::Ledger::open(node_dir.path()).value();
    fill(*node_log, "node-", 20);
    node = fingerprint(*node_log);
    if (!node_running) node_log.reset();
    fs::create_directories(node_dir.sub("vault"));
    std::ofstream(node_dir.sub("vault/keys.sst")) << "the vault's own";
    std::ofstream(node_dir.sub("checkpoint.key")) << "a key";
    auto files = peer_log->copy_store_to(peer_dir.sub("outgoing-copy")).value();
    receive(ledger::Env::system(), peer_dir.sub("outgoing-copy"), files, node_dir.path());
  }
};

std::string contents(const std::string& path) {
  std::ifstream in(path);
  return {std::istreambuf_iterator<char>(in), {}};
}

}  // namespace

TEST_CASE("store copy: the next open installs a received copy whole, and leaves what lives beside the store") {
  Stores stores;
  REQUIRE(stores.peer != stores.node);
  // The node's store still opens as it was while the copy waits (a read-only open installs nothing).
  {
    auto old = ledger::Ledger::open(stores.node_dir.path(), {.mode = ledger::OpenMode::read_only}).value();
    CHECK(fingerprint(*old) == stores.node);
  }
  auto log = ledger::Ledger::open(stores.node_dir.path()).value();
  CHECK(fingerprint(*log) == stores.peer);
  CHECK(log->find_command("peer-119").value().has_value());
  CHECK_FALSE(log->find_command("node-0").value().has_value());
  CHECK_FALSE(fs::exists(ledger::incoming_copy_directory(stores.node_dir.path())));
  CHECK(contents(stores.node_dir.sub("vault/keys.sst")) == "the vault's own");
  CHECK(contents(stores.node_dir.sub("checkpoint.key")) == "a key");
  // It goes on from the copy's head.
  fill(*log, "after-", 3);
  CHECK(log->head().position == stores.peer.position + 3);
  log.reset();
  CHECK(ledger::install_store_copy(ledger::Env::system(), stores.node_dir.path()).value() == false);
}

TEST_CASE("store copy: a copy received in part is dropped, and the store opens as it was") {
  Stores stores;
  // Every file but without the marker: a download cut short.
  fs::remove(fs::path(ledger::incoming_copy_directory(stores.node_dir.path())) / "COPY-COMPLETE");
  auto log = ledger::Ledger::open(stores.node_dir.path()).value();
  CHECK(fingerprint(*log) == stores.node);
  CHECK_FALSE(fs::exists(ledger::incoming_copy_directory(stores.node_dir.path())));
}

TEST_CASE("store copy: only RocksDB's store files are received, and a listing this build did not write is dropped") {
  TempDir node;
  auto& env = ledger::Env::system();
  { (void)ledger::Ledger::open(node.path()).value(); }
  REQUIRE(ledger::begin_incoming_copy(env, node.path()));
  // Never LOCK, never what lives beside the store, never a path.
  for (const std::string name : {"LOCK", "vault", "checkpoint.key", "master.key", "../CURRENT", "COPY-COMPLETE", ""}) {
    INFO(name);
    auto refused = ledger::IncomingCopyFile::create(env, node.path(), name);
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ledger::ErrorCode::invalid_argument);
  }
  const std::vector<std::string> without_current{"MANIFEST-000005", "000004.sst"};
  CHECK(ledger::complete_incoming_copy(env, node.path(), without_current).error().code == ledger::ErrorCode::invalid_argument);
  const std::vector<std::string> without_manifest{"CURRENT", "000004.sst"};
  CHECK(ledger::complete_incoming_copy(env, node.path(), without_manifest).error().code == ledger::ErrorCode::invalid_argument);
  // A marker written by hand, naming the vault: the copy is dropped and the store opens as it was.
  fs::create_directories(node.sub("vault"));
  std::ofstream(node.sub("incoming-copy/COPY-COMPLETE")) << "CURRENT\nMANIFEST-000001\nvault\n";
  CHECK(ledger::install_store_copy(env, node.path()).value() == false);
  CHECK(fs::exists(node.sub("vault")));
  CHECK_FALSE(fs::exists(ledger::incoming_copy_directory(node.path())));
  CHECK(ledger::Ledger::open(node.path()));
}

TEST_CASE("store copy: nothing is installed while the store is open, and the copy waits for the next open") {
  Stores stores(true);
  // The server that received it still runs on its store (RocksDB's lock): another read-write open
  // (a tool run meanwhile) installs nothing and is refused as before.
  CHECK(ledger::install_store_copy(ledger::Env::system(), stores.node_dir.path()).value() == false);
  CHECK_FALSE(ledger::Ledger::open(stores.node_dir.path()));
  CHECK(fingerprint(*stores.node_log) == stores.node);
  CHECK(fs::exists(fs::path(ledger::incoming_copy_directory(stores.node_dir.path())) / "COPY-COMPLETE"));
  stores.node_log.reset();  // the server restarts
  CHECK(fingerprint(*ledger::Ledger::open(stores.node_dir.path()).value()) == stores.peer);
}

TEST_CASE("store copy: an install cut short at any file operation is finished by the next open") {
  // The stores are made once; each try works on a fresh copy of the node's directory.
  Stores stores;
  const auto fresh_node = [&stores](const TempDir& into) {
    fs::copy(stores.node_dir.path(), into.path(), fs::copy_options::recursive);
    return into.path();
  };
  // Count the operations of a whole install once, then cut one install short at each of them.
  std::uint64_t operations = 0;
  {
    TempDir whole;
    FaultEnv counting;
    REQUIRE(ledger::install_store_copy(counting, fresh_node(whole)).value());
    operations = counting.counted();
    REQUIRE(fingerprint(*ledger::Ledger::open(whole.path()).value()) == stores.peer);
  }
  REQUIRE(operations > 10);
  for (std::uint64_t at = 1; at <= operations; ++at) {
    TempDir node;
    FaultEnv failing({.fail_at = at});
    INFO("the install fails at operation " << at);
    auto cut = ledger::install_store_copy(failing, fresh_node(node));
    CHECK(!cut);
    CHECK(failing.failed() == 1);
    // A crash then: the next open finishes it.
    auto log = ledger::Ledger::open(node.path());
    REQUIRE(log);
    CHECK(fingerprint(**log) == stores.peer);
    CHECK_FALSE(fs::exists(ledger::incoming_copy_directory(node.path())));
  }
}
