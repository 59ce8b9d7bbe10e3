// What the ledger's RocksDB store holds in memory, by kind: what /metrics reports beside the
// process's resident memory, so that a soak can tell the store's growth from the server's own
// (bench/soak.py).
#pragma once

#include <cstdint>

#include "orgledger/ledger/ledger.h"

namespace orgledger::ledger {

struct StoreMemory {
  std::uint64_t memtables = 0;      // active and not yet flushed memtables, every family
  std::uint64_t table_readers = 0;  // open table files' readers, outside the cache
  std::uint64_t block_cache = 0;    // the families' one block cache: data, index and filter blocks
  std::uint64_t table_files = 0;    // live table files, every family (each one an open reader)
  // The bounds (store.cc): the cache's capacity, and the memtables' budget over every family.
  std::uint64_t block_cache_capacity = 0;
  std::uint64_t memtable_budget = 0;
};

class StoreStats {
 public:
  // Over `ledger`'s store; `ledger` must outlive it.
  explicit StoreStats(const Ledger& ledger) : ledger_(ledger) {}

  // RocksDB's own estimates, summed over the families. Thread-safe; a figure RocksDB cannot give
  // counts 0.
  StoreMemory memory() const;

 private:
  const Ledger& ledger_;
};

}  // namespace orgledger::ledger
