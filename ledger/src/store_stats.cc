#include "orgledger/ledger/store_stats.h"

#include <rocksdb/db.h>
#include <rocksdb/metadata.h>

#include <vector>

#include "ledger_impl.h"

namespace orgledger::ledger {
namespace {

std::uint64_t summed(rocksdb::DB& db, const std::string& property) {
  std::uint64_t value = 0;
  return db.GetAggregatedIntProperty(property, &value) ? value : 0;
}

}  // namespace

StoreMemory StoreStats::memory() const {
  rocksdb::DB& db = ledger_.impl_->store().db();
  StoreMemory memory;
  memory.memtables = summed(db, rocksdb::DB::Properties::kCurSizeAllMemTables);
  memory.table_readers = summed(db, rocksdb::DB::Properties::kEstimateTableReadersMem);
  // Not summed: every family shares the one cache (store.cc), which each would count again.
  if (!db.GetIntProperty(rocksdb::DB::Properties::kBlockCacheUsage, &memory.block_cache)) memory.block_cache = 0;
  if (!db.GetIntProperty(rocksdb::DB::Properties::kBlockCacheCapacity, &memory.block_cache_capacity)) {
    memory.block_cache_capacity = 0;
  }
  memory.memtable_budget = db.GetDBOptions().db_write_buffer_size;
  std::vector<rocksdb::LiveFileMetaData> files;
  db.GetLiveFilesMetaData(&files);
  memory.table_files = files.size();
  return memory;
}

}  // namespace orgledger::ledger
