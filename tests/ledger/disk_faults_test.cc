// Every I/O error fail-stops the ledger and never aborts the process (issue 11, honest failures):
// a full disk (every write failing, RocksDB's own LOG included), a dying one (EIO), and an fsync
// error on a directory the store syncs. The faults come through the Env seam (faulty_disk.h).
#include <catch2/catch.hpp>

#include "commands.h"
#include "faulty_disk.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/verify.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

TEST_CASE("disk faults: a full disk, EIO, or a failed directory fsync fail-stop the ledger, never abort it") {
  const auto fault = GENERATE(FaultyDisk::Fault::no_space, FaultyDisk::Fault::io_error, FaultyDisk::Fault::directory_fsync);
  INFO("fault " << static_cast<int>(fault));
  TempDir dir;
  auto disk = std::make_shared<FaultyDisk>();
  ledger::EnvWith env({.file_system = disk});
  std::vector<std::string> acknowledged;
  {
    auto log = ledger::Ledger::open(dir.path(), {.env = &env}).value();
    for (int i = 0; i < 3; ++i) {
      acknowledged.push_back("ok" + std::to_string(i));
      REQUIRE(log->append(member_added(acknowledged.back(), "org:a", "u")));
    }
    disk->fault = fault;
    // Enough appends to fill a memtable: its flush writes a table and syncs the directory.
    bool failed = false;
    for (int i = 0; i < 400 && !failed; ++i) {
      auto cmd = member_added("during" + std::to_string(i), "org:a", std::string(256 * 1024, 'x'));
      auto appended = log->append(std::move(cmd));
      if (appended) acknowledged.push_back("during" + std::to_string(i));
      failed = !appended;
      if (failed) {
        CHECK((appended.error().code == ledger::ErrorCode::outcome_unknown ||
               appended.error().code == ledger::ErrorCode::stopped));
      }
    }
    CHECK(failed);
    REQUIRE(log->failure());
    disk->fault = FaultyDisk::Fault::none;
    auto after = log->append(member_added("after", "org:a", "u"));
    REQUIRE_FALSE(after);
    CHECK(after.error().code == ledger::ErrorCode::stopped);
  }
  // Every acknowledged append is there after a restart, and the chain verifies.
  auto log = ledger::Ledger::open(dir.path()).value();
  for (const auto& id : acknowledged) {
    INFO(id);
    CHECK(log->find_command(id).value().has_value());
  }
  log.reset();
  CHECK(ledger::verify_ledger(dir.path()).value().ok);
}
