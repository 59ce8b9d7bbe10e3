// Issue 18: the data keys a cluster's nodes share. The writer hands every batch of keys it makes
// to the others before any of them seals a value; a replica stores what it is given, opens what
// the writer sealed (G3 on every node), and never takes back a key it destroyed (G2).
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "temp_dir.h"
#include "vault_testing.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

// Two vaults under one master key (as the nodes of a cluster seeded from one store hold it): the
// default file beside both, made by the first.
struct TwoNodes {
  TempDir dir;
  std::string master = dir.sub("master.key");
  std::unique_ptr<vault::Vault> writer = open_vault({.directory = dir.sub("writer")});
  std::unique_ptr<vault::Vault> replica = open_vault({.directory = dir.sub("replica"), .master_key_file = master});
  std::vector<vault::WrappedKey> given;  // what the writer handed out, in order

  TwoNodes() {
    writer->share_new_keys_with([this](std::span<const vault::WrappedKey> keys) -> std::expected<void, std::string> {
      given.insert(given.end(), keys.begin(), keys.end());
      return {};
    });
  }
};

}  // namespace

TEST_CASE("shared keys: a key is given to the cluster before it seals, and a replica opens what the writer sealed") {
  TwoNodes nodes;
  const auto key = nodes.writer->fresh_key().value();
  REQUIRE_FALSE(nodes.given.empty());
  const bool given = std::any_of(nodes.given.begin(), nodes.given.end(), [&](const vault::WrappedKey& k) { return k.id == key.id; });
  CHECK(given);
  for (const auto& shared : nodes.given) CHECK(shared.record.find(bytes_of(key)) == std::string::npos);  // wrapped, never clear
  const auto sealed = nodes.writer->seal(key, "user:ada", "ada@example.ch").value();

  CHECK(nodes.replica->open("user:ada", sealed).value() == std::nullopt);  // not given yet: reads as forgotten
  CHECK(nodes.replica->adopt(nodes.given).value() == nodes.given.size());
  CHECK(nodes.replica->open("user:ada", sealed).value() == "ada@example.ch");
  CHECK(nodes.replica->adopt(nodes.given).value() == 0);  // held already: nothing written

  SECTION("adopted keys survive a reopen of the replica") {
    const auto directory = nodes.dir.sub("replica");
    nodes.replica.reset();
    auto reopened = open_vault({.directory = directory, .master_key_file = nodes.master});
    CHECK(reopened->open("user:ada", sealed).value() == "ada@example.ch");
  }
}

TEST_CASE("shared keys: G2 - a key destroyed on a replica is never taken back from a later share") {
  TwoNodes nodes;
  const auto key = nodes.writer->fresh_key().value();
  const auto sealed = nodes.writer->seal(key, "user:ada", "ada@example.ch").value();
  REQUIRE(nodes.replica->adopt(nodes.given).value() == nodes.given.size());
  const std::vector<std::string> destroyed{key.id};
  REQUIRE(nodes.replica->forget("user:ada", destroyed));
  CHECK(nodes.replica->adopt(nodes.given).value() == 0);
  CHECK_FALSE(nodes.replica->has_key(key.id));
  CHECK(nodes.replica->open("user:ada", sealed).value() == std::nullopt);
  // The same after a reopen: the marker is on disk, not in memory.
  const auto directory = nodes.dir.sub("replica");
  nodes.replica.reset();
  auto reopened = open_vault({.directory = directory, .master_key_file = nodes.master});
  CHECK(reopened->adopt(nodes.given).value() == 0);
  CHECK_FALSE(reopened->has_key(key.id));
}

TEST_CASE("shared keys: G2 - a key the cluster purged is destroyed at once on a node that holds it, without a subject") {
  TwoNodes nodes;
  const auto key = nodes.writer->fresh_key().value();
  const auto sealed = nodes.writer->seal(key, "user:ada", "ada@example.ch").value();
  REQUIRE(nodes.replica->adopt(nodes.given));
  REQUIRE(nodes.replica->open("user:ada", sealed).value() == "ada@example.ch");
  const std::vector<std::string> purged{key.id};
  REQUIRE(nodes.replica->destroy_keys(purged));
  CHECK_FALSE(nodes.replica->has_key(key.id));
  CHECK(nodes.replica->open("user:ada", sealed).value() == std::nullopt);
  // The subject is marked when the node applies the log's ForgetSubject, not on the cluster's word.
  CHECK_FALSE(nodes.replica->forgotten("user:ada"));
  CHECK(nodes.replica->adopt(nodes.given).value() == 0);  // never taken back (the others held already)
  CHECK_FALSE(nodes.replica->has_key(key.id));
  // Heard again (every join replays the purges): nothing held, nothing to do.
  CHECK(nodes.replica->destroy_keys(purged));
  const std::vector<std::string> unknown{"0123456789abcdef0123456789abcdef"};
  CHECK(nodes.replica->destroy_keys(unknown));
  CHECK(nodes.writer->open("user:ada", sealed).value() == "ada@example.ch");  // only where it was destroyed
  SECTION("the destruction survives a reopen") {
    const auto directory = nodes.dir.sub("replica");
    nodes.replica.reset();
    auto reopened = open_vault({.directory = directory, .master_key_file = nodes.master});
    CHECK_FALSE(reopened->has_key(key.id));
    CHECK(reopened->open("user:ada", sealed).value() == std::nullopt);
  }
}

TEST_CASE("shared keys: a record under another master key is bad_master_key, an altered one corrupt, and neither is stored") {
  TwoNodes nodes;
  (void)nodes.writer->fresh_key().value();
  REQUIRE(nodes.given.size() >= 3);
  std::filesystem::create_directories(nodes.dir.sub("elsewhere"));
  auto stranger = open_vault({.directory = nodes.dir.sub("elsewhere") + "/vault"});  // its own master key
  CHECK(stranger->adopt(std::span(nodes.given).first(2)).error().code == vault::ErrorCode::bad_master_key);
  CHECK_FALSE(stranger->has_key(nodes.given[0].id));

  auto altered = nodes.given;
  altered[1].record[altered[1].record.size() - 1] ^= 0x01;
  CHECK(nodes.replica->adopt(std::span(altered).first(3)).error().code == vault::ErrorCode::corrupt);
  CHECK(nodes.replica->has_key(altered[0].id));  // the keys before the bad one are stored
  CHECK_FALSE(nodes.replica->has_key(altered[1].id));
  CHECK_FALSE(nodes.replica->has_key(altered[2].id));

  auto moved = nodes.given;
  std::swap(moved[1].id, moved[2].id);  // a record is bound to its id
  CHECK(nodes.replica->adopt(std::span(moved).subspan(1, 1)).error().code == vault::ErrorCode::corrupt);
  CHECK_FALSE(nodes.replica->has_key(moved[1].id));

  std::vector<vault::WrappedKey> malformed{{"not-a-key-id", nodes.given[0].record}};
  CHECK(nodes.replica->adopt(malformed).error().code == vault::ErrorCode::corrupt);
}

TEST_CASE("shared keys: when the cluster cannot be given the new keys, none is handed out") {
  TempDir dir;
  auto writer = open_vault({.directory = dir.sub("writer")});
  int calls = 0;
  writer->share_new_keys_with([&](std::span<const vault::WrappedKey>) -> std::expected<void, std::string> {
    ++calls;
    return std::unexpected(std::string("no responders"));
  });
  const auto refused = writer->fresh_key();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == vault::ErrorCode::io_error);
  CHECK(refused.error().message.find("no responders") != std::string::npos);
  CHECK(calls >= 1);
  writer->share_new_keys_with({});  // outside a cluster again
  CHECK(writer->fresh_key().has_value());
}

TEST_CASE("shared secrets: the checkpoint key's seed travels wrapped, bound to its label and to the master key") {
  TwoNodes nodes;
  std::array<std::uint8_t, 32> seed{};
  for (std::size_t i = 0; i < seed.size(); ++i) seed[i] = static_cast<std::uint8_t>(0xA0 + i);
  const auto record = nodes.writer->wrap_secret("checkpoint-key/example.com/log", seed).value();
  CHECK(record.find(std::string(seed.begin(), seed.end())) == std::string::npos);  // never in clear
  CHECK(nodes.writer->wrap_secret("checkpoint-key/example.com/log", seed).value() != record);  // a fresh nonce each time

  CHECK(nodes.replica->unwrap_secret("checkpoint-key/example.com/log", record).value() == seed);
  CHECK(nodes.replica->unwrap_secret("checkpoint-key/example.com/other", record).error().code == vault::ErrorCode::corrupt);
  auto altered = record;
  altered[altered.size() / 2] ^= 0x01;
  CHECK(nodes.replica->unwrap_secret("checkpoint-key/example.com/log", altered).error().code == vault::ErrorCode::corrupt);
  CHECK(nodes.replica->unwrap_secret("checkpoint-key/example.com/log", "").error().code == vault::ErrorCode::corrupt);

  std::filesystem::create_directories(nodes.dir.sub("elsewhere"));
  auto stranger = open_vault({.directory = nodes.dir.sub("elsewhere") + "/vault"});  // its own master key
  CHECK(stranger->unwrap_secret("checkpoint-key/example.com/log", record).error().code == vault::ErrorCode::bad_master_key);
}

TEST_CASE("shared keys: a replica asks the cluster for a key it applied before being given it, never for a destroyed one") {
  TwoNodes nodes;
  const auto key = nodes.writer->fresh_key().value();
  const auto sealed = nodes.writer->seal(key, "user:ada", "ada@example.ch").value();
  std::vector<std::string> asked;
  std::optional<std::string> answer;  // what the cluster's bucket answers
  nodes.replica->fetch_absent_keys_with([&](std::string_view id) -> std::optional<std::string> {
    asked.emplace_back(id);
    return answer;
  });

  SECTION("the bucket has it: fetched once, adopted, opened") {
    for (const auto& shared : nodes.given) {
      if (shared.id == key.id) answer = shared.record;
    }
    REQUIRE(answer);
    CHECK(nodes.replica->open("user:ada", sealed).value() == "ada@example.ch");
    CHECK(nodes.replica->open("user:ada", sealed).value() == "ada@example.ch");
    CHECK(asked == std::vector<std::string>{key.id});  // held from then on
    CHECK(nodes.replica->has_key(key.id));
  }
  SECTION("the bucket has none (purged by G2): forgotten") {
    CHECK(nodes.replica->open("user:ada", sealed).value() == std::nullopt);
    CHECK(asked.size() == 1);
  }
  SECTION("an altered record is corrupt, and not stored") {
    for (const auto& shared : nodes.given) {
      if (shared.id == key.id) answer = shared.record;
    }
    answer->back() ^= 0x01;
    CHECK(nodes.replica->open("user:ada", sealed).error().code == vault::ErrorCode::corrupt);
    CHECK_FALSE(nodes.replica->has_key(key.id));
  }
  SECTION("G2: a key this node destroyed is never asked for") {
    REQUIRE(nodes.replica->adopt(nodes.given));
    REQUIRE(nodes.replica->forget("user:other", std::vector<std::string>{key.id}));
    for (const auto& shared : nodes.given) {
      if (shared.id == key.id) answer = shared.record;
    }
    CHECK(nodes.replica->open("user:ada", sealed).value() == std::nullopt);
    CHECK(asked.empty());
    CHECK_FALSE(nodes.replica->has_key(key.id));
  }
  SECTION("no fetcher (a single node, or after leaving the cluster): forgotten, nothing asked") {
    nodes.replica->fetch_absent_keys_with({});
    CHECK(nodes.replica->open("user:ada", sealed).value() == std::nullopt);
    CHECK(asked.empty());
  }
}
