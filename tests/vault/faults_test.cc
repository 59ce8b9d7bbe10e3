// Honest failures: randomness that fails gives an error, never a weak key; a disk that fails
// during a refill gives io_error and hands out no key.
#include <catch2/catch.hpp>

#include <filesystem>

#include "vault_impl.h"
#include "failing_file_system.h"
#include "faulty_disk.h"
#include "temp_dir.h"
#include "vault_testing.h"

using namespace orgledger;
using namespace orgledger::testing;

TEST_CASE("faults: failing randomness → io_error from fresh_key and seal, no key, no master key file") {
  TempDir dir;
  SwitchableRandom random;
  {
    random.failing = true;
    ledger::EnvWith random_env({.random = &random});
    const auto refused = vault::Vault::open({.directory = dir.sub("vault"), .env = &random_env});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == vault::ErrorCode::io_error);
    CHECK_FALSE(std::filesystem::exists(dir.sub("master.key")));
  }
  random.failing = false;
  ledger::EnvWith random_env({.random = &random});
  auto v = open_vault({.directory = dir.sub("vault"), .env = &random_env});
  const auto key = v->fresh_key().value();
  random.failing = true;
  const auto sealed = v->seal(key, "user:1", "alice");
  REQUIRE_FALSE(sealed);
  CHECK(sealed.error().code == vault::ErrorCode::io_error);
  // Drain the pool: the refill then needs randomness and fails.
  for (std::size_t i = 0; i + 1 < vault::kKeysPerRefill; ++i) REQUIRE(v->fresh_key());
  const auto count = v->key_count();
  const auto refused = v->fresh_key();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == vault::ErrorCode::io_error);
  CHECK(v->key_count() == count);
  random.failing = false;
  CHECK(v->fresh_key());
}

TEST_CASE("faults: the write-ahead log failing during a refill → io_error, no key handed out") {
  const bool syncs_only = GENERATE(false, true);
  INFO("syncs only: " << syncs_only);
  TempDir dir;
  auto file_system = std::make_shared<FailingWalFileSystem>();
  ledger::EnvWith env({.file_system = file_system});
  auto v = open_vault({.directory = dir.sub("vault"), .env = &env});
  file_system->syncs_only = syncs_only;
  file_system->failing = true;
  const auto refused = v->fresh_key();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == vault::ErrorCode::io_error);
  CHECK(v->key_count() == 0);
  CHECK_FALSE(v->fresh_key());
  // forget() fails too, but the subject reads as forgotten from the call on (G2).
  const auto forgot = v->forget("user:1", {});
  REQUIRE_FALSE(forgot);
  CHECK(forgot.error().code == vault::ErrorCode::io_error);
  CHECK(v->forgotten("user:1"));
}

TEST_CASE("faults: a full disk during a refill → io_error, no key handed out") {
  TempDir dir;
  auto disk = std::make_shared<FaultyDisk>();
  ledger::EnvWith env({.file_system = disk});
  auto v = open_vault({.directory = dir.sub("vault"), .env = &env});
  disk->fault = FaultyDisk::Fault::no_space;
  const auto refused = v->fresh_key();
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == vault::ErrorCode::io_error);
  CHECK(v->key_count() == 0);
  disk->fault = FaultyDisk::Fault::none;
}
