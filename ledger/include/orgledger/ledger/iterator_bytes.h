// What a RocksDB iterator points at, copied into a buffer the caller keeps (for the ledger and
// the key vault: both read their RocksDB stores while writers add to them).
//
// Why every read of iterator bytes goes through here: key() and value() may point into a memtable,
// which a writer fills (memcpy) and publishes through the skip list's atomics, inside librocksdb.
// Debian's librocksdb has no TSan instrumentation, so TSan cannot see that publication and reports
// our reads of those bytes as racing the writer's copy (tests/sanitizers/tsan.supp). Here, and only
// here, a TSan build copies them with its reads ignored; our parsing then reads our own buffer and
// stays under TSan's eye. In other builds the annotation is nothing and the copy reuses the buffer.
#pragma once

#include <rocksdb/iterator.h>

#include <string>
#include <string_view>

namespace orgledger::ledger {

// The iterator must be Valid(). The view is of `buffer` and lives as long as it is unchanged.
std::string_view copy_key(const rocksdb::Iterator& it, std::string& buffer);
std::string_view copy_value(const rocksdb::Iterator& it, std::string& buffer);

// The same, as a string of its own (for a value that is kept).
std::string key_string(const rocksdb::Iterator& it);
std::string value_string(const rocksdb::Iterator& it);

}  // namespace orgledger::ledger
