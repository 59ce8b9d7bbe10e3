// Honest failures (API.md, Errors; issue 11): when the store fails while a command is being made
// durable, its outcome is unknown, not failed; after a restart the same command id answers which
// outcome happened, and the command is applied at most once. The failures are injected through
// the RocksDB file-system seam the ledger takes (LevelDB's Env).
#include <catch2/catch.hpp>

#include "failing_file_system.h"
#include "manual_clock.h"
#include "orgledger/commands/processor.h"
#include "random_commands.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::commands;
using orgledger::testing::FailingWalFileSystem;
using orgledger::testing::kSampleInstant;
using orgledger::testing::ManualClock;
using orgledger::testing::registering;
using orgledger::testing::TempDir;

TEST_CASE("outcome unknown: a failed WAL sync answers unknown, and the same command id after reopening applies it once") {
  const bool syncs_only = GENERATE(true, false);  // bytes written but not synced; nothing written
  INFO("only the fsync fails: " << syncs_only);
  TempDir dir;
  ManualClock clock{kSampleInstant};
  auto file_system = std::make_shared<FailingWalFileSystem>();
  ledger::EnvWith env({.file_system = file_system});
  {
    auto log = ledger::Ledger::open(dir.path(), {.env = &env, .clock = &clock}).value();
    auto processor = CommandProcessor::start(*log, clock).value();
    REQUIRE(processor->submit(registering("ann", "reg-ann")));

    file_system->syncs_only = syncs_only;
    file_system->failing = true;
    auto unknown = processor->submit(registering("bob", "reg-bob"));
    REQUIRE_FALSE(unknown);
    REQUIRE(unknown.error().ledger);
    CHECK(unknown.error().ledger->code == ledger::ErrorCode::outcome_unknown);
    // Fail-stop: nothing more is taken, and that one is a definite refusal.
    file_system->failing = false;
    auto later = processor->submit(registering("cid", "reg-cid"));
    REQUIRE_FALSE(later);
    REQUIRE(later.error().ledger);
    CHECK(later.error().ledger->code == ledger::ErrorCode::stopped);
  }
  // A restart: the same command id says what happened, and never applies it twice.
  auto log = ledger::Ledger::open(dir.path(), {.clock = &clock}).value();
  const bool was_durable = log->find_command("reg-bob").value().has_value();
  auto processor = CommandProcessor::start(*log, clock).value();
  auto answer = processor->submit(registering("bob", "reg-bob"));
  REQUIRE(answer);
  CHECK(answer->duplicate == was_durable);
  auto again = processor->submit(registering("bob", "reg-bob"));
  REQUIRE(again);
  CHECK(again->duplicate);
  CHECK(log->read_stream("user:bob", 1, 10).value().size() == 1);
  if (!syncs_only) CHECK_FALSE(was_durable);  // nothing reached the log's file
}
