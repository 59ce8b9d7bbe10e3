// fresh_key(): keys made ahead in pools, durable before they are handed out, never repeated.
#include <catch2/catch.hpp>

#include <chrono>
#include <cstdio>
#include <random>
#include <set>
#include <thread>

#include "vault_impl.h"
#include "temp_dir.h"
#include "vault_testing.h"

using namespace orgledger;
using namespace orgledger::testing;

TEST_CASE("fresh key: 2000 keys across refills and a reopen never repeat, and each is stored") {
  TempDir dir;
  const vault::Options options{.directory = dir.sub("vault")};
  std::set<std::string> ids;
  std::set<std::string> materials;
  std::vector<std::string> handed_out;
  for (int round = 0; round < 2; ++round) {
    auto v = open_vault(options);
    for (int i = 0; i < 1000; ++i) {  // refills across rounds, the last one partly used
      const auto key = v->fresh_key().value();
      CHECK(key.id.size() == 32);
      ids.insert(key.id);
      materials.insert(bytes_of(key));
      handed_out.push_back(key.id);
    }
  }
  CHECK(ids.size() == 2000);
  CHECK(materials.size() == 2000);
  auto v = open_vault(options);
  for (const auto& id : handed_out) REQUIRE(v->has_key(id));
  // Keys left in a pool at close are deleted: only those handed out remain.
  CHECK(v->key_count() == 2000);
}

TEST_CASE("fresh key: a key is durable when handed out - it is in the store before it seals anything") {
  TempDir dir;
  const vault::Options options{.directory = dir.sub("vault")};
  auto v = open_vault(options);
  const auto key = v->fresh_key().value();
  // Another reader of the store's files (RocksDB itself, read-only) already sees the record.
  const auto record = raw_value(options.directory, "k/" + key.id);
  REQUIRE(record);
  CHECK(record->size() == 69);
  CHECK(v->key_count() == vault::kKeysPerRefill);  // the pool it came from, pooled keys included
}

TEST_CASE("fresh key: many threads at once get distinct keys") {
  TempDir dir;
  auto v = open_vault({.directory = dir.sub("vault")});
  std::vector<std::vector<std::string>> per_thread(4);
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 400; ++i) {
        auto key = v->fresh_key();
        if (key) per_thread[t].push_back(key->id);
      }
    });
  }
  for (auto& thread : threads) thread.join();
  std::set<std::string> ids;
  for (const auto& list : per_thread) {
    CHECK(list.size() == 400);
    ids.insert(list.begin(), list.end());
  }
  CHECK(ids.size() == 1600);
}

TEST_CASE("fresh key: the cost of fresh_key + seal, refills included (printed, not asserted)") {
  TempDir dir;
  auto v = open_vault({.directory = dir.sub("vault")});
  constexpr int kRounds = 5120;  // a few refills
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRounds; ++i) {
    const auto key = v->fresh_key().value();
    REQUIRE(v->seal(key, "user:" + std::to_string(i), "someone@example.com"));
  }
  const auto elapsed = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
  std::fprintf(stderr, "[vault] fresh_key + seal: %.2f us each over %d (one synced refill per %zu)\n", elapsed / kRounds, kRounds, vault::kKeysPerRefill);
  const auto key = v->fresh_key().value();
  const auto sealed = v->seal(key, "user:x", "someone@example.com").value();
  const auto open_start = std::chrono::steady_clock::now();
  for (int i = 0; i < kRounds; ++i) REQUIRE(v->open("user:x", sealed).value());
  const auto open_elapsed =
      std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - open_start).count();
  std::fprintf(stderr, "[vault] open (cached key): %.2f us each\n", open_elapsed / kRounds);
}

namespace {

// Replays the same bytes after every reopen, as a seeded test source does.
class ReplayingRandom : public vault::Random {
 public:
  bool fill(std::span<std::uint8_t> out) override {
    for (auto& byte : out) byte = static_cast<std::uint8_t>(engine_());
    return true;
  }

 private:
  std::mt19937_64 engine_{42};
};

class ConstantRandom : public vault::Random {
 public:
  bool fill(std::span<std::uint8_t> out) override {
    std::fill(out.begin(), out.end(), std::uint8_t{7});
    return true;
  }
};

}  // namespace

TEST_CASE("fresh key: a random source that replays its ids never overwrites a stored key") {
  TempDir dir;
  // A named master key, so that both opens draw the same bytes from the start.
  write_whole_file(dir.sub("named.key"), std::string(64, 'a'));
  const vault::Options base{.directory = dir.sub("vault"), .master_key_file = dir.sub("named.key")};
  vault::Sealed sealed;
  {
    ReplayingRandom random;
    ledger::EnvWith random_env({.random = &random});
    auto v = open_vault({.directory = base.directory, .master_key_file = base.master_key_file, .env = &random_env});
    sealed = v->seal(v->fresh_key().value(), "user:1", "alice").value();
  }
  ReplayingRandom replay;
  ledger::EnvWith replay_env({.random = &replay});
  auto v = open_vault({.directory = base.directory, .master_key_file = base.master_key_file, .env = &replay_env});
  std::set<std::string> ids;
  for (int i = 0; i < 300; ++i) ids.insert(v->fresh_key().value().id);
  CHECK_FALSE(ids.contains(sealed.key_id));
  CHECK(v->open("user:1", sealed).value() == "alice");
}

TEST_CASE("fresh key: a random source that repeats itself → io_error, not a repeated key") {
  TempDir dir;
  ConstantRandom random;
  ledger::EnvWith random_env({.random = &random});
  auto v = open_vault({.directory = dir.sub("vault"), .env = &random_env});
  const auto refused = v->fresh_key();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == vault::ErrorCode::io_error);
  CHECK(v->key_count() == 0);
}
