// The `tokens` column family of the store (ARCHITECTURE.md, storage):
//   key   := SHA-256 of the token, 32 bytes
//   value := the record, opaque here (api/ writes JSON)
#include "orgledger/ledger/token_records.h"

#include <rocksdb/db.h>

#include <cstring>

#include "ledger_impl.h"
#include "orgledger/ledger/iterator_bytes.h"
#include "store_layout.h"

namespace orgledger::ledger {

std::expected<void, Error> TokenRecords::put(const Hash& token_hash, std::string_view record) {
  const Ledger::Impl& ledger = *ledger_.impl_;
  Store* const store = &ledger.store();
  if (ledger.mode() == OpenMode::read_only || store->tokens() == nullptr) {
    return std::unexpected(Error{ErrorCode::read_only, "the ledger was opened read-only"});
  }
  rocksdb::WriteOptions durable;
  durable.sync = true;
  auto status = store->stopped();
  if (status.ok()) status = store->db().Put(durable, store->tokens(),
                                       rocksdb::Slice(reinterpret_cast<const char*>(token_hash.data()), token_hash.size()),
                                       rocksdb::Slice(record.data(), record.size()));
  if (!status.ok()) return std::unexpected(io_error("cannot store the token", status));
  return {};
}

std::expected<std::vector<std::pair<Hash, std::string>>, Error> TokenRecords::all() const {
  Store* const store = &ledger_.impl_->store();
  std::vector<std::pair<Hash, std::string>> found;
  if (store->tokens() == nullptr) return found;
  std::unique_ptr<rocksdb::Iterator> it(store->db().NewIterator(rocksdb::ReadOptions(), store->tokens()));
  std::string key;
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    if (copy_key(*it, key).size() != layout::kHashSize) {
      return std::unexpected(Error{ErrorCode::corrupt, "a token key is not a SHA-256 hash"});
    }
    Hash hash{};
    std::memcpy(hash.data(), key.data(), hash.size());
    found.emplace_back(hash, value_string(*it));
  }
  if (!it->status().ok()) return std::unexpected(io_error("cannot read the tokens", it->status()));
  return found;
}

}  // namespace orgledger::ledger
