// The store's memory has one bound, whatever the log's length (issue 17's soak: resident memory
// grew with the log). Before, each of the 9 families had a block cache of its own, every table's
// index and filter blocks stayed in memory outside any cache, and the memtables' only bound was
// the WAL's size across 9 families of up to 2 x 64 MiB each.
#include <catch2/catch.hpp>

#include "commands.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/store_stats.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

TEST_CASE("regression: the store's memory grew with the log - one block cache for every family, one memtable budget") {
  TempDir dir;
  {
    auto log = ledger::Ledger::open(dir.path()).value();
    for (int i = 0; i < 2000; ++i) {
      REQUIRE(log->append(member_added("c" + std::to_string(i), "org:" + std::to_string(i % 50), "u" + std::to_string(i))));
    }
  }
  // Reopened: the recovered memtables are flushed to tables, which the reads below go through.
  auto log = ledger::Ledger::open(dir.path()).value();
  REQUIRE(log->read(1, 2000).value().size() == 2000);
  for (int org = 0; org < 50; ++org) REQUIRE(log->read_stream("org:" + std::to_string(org), 1, 100).value().size() == 40);

  const auto memory = ledger::StoreStats(*log).memory();
  CHECK(memory.block_cache_capacity == 64u << 20);  // was 8 MiB, each family's own
  CHECK(memory.memtable_budget == 128u << 20);
  CHECK(memory.table_files > 0);
  CHECK(memory.block_cache > 0);  // the tables' blocks, index and filter blocks among them
  CHECK(memory.block_cache <= memory.block_cache_capacity);
  CHECK(memory.memtables <= memory.memtable_budget);
  // Index and filter blocks live in the cache, not beside it in each table's reader.
  CHECK(memory.table_readers < 64u << 10);
}
