// G2, crypto-shredding: forgetting a subject destroys its data keys, so every copy of its sealed
// values (events, exports, backups of the log) becomes unreadable while the log stays intact.
#include "errors.h"
#include "hex.h"
#include "vault_impl.h"

namespace orgledger::vault {

namespace {

// The keys' records deleted, and a marker for each, so that no share or fetch brings them back.
void destroy_in(rocksdb::WriteBatch& batch, std::span<const std::string> key_ids) {
  for (const auto& id : key_ids) {
    if (!is_key_id(id)) continue;  // no key of ours
    batch.Delete(layout::key_key(id));
    batch.Put(layout::destroyed_key(id), rocksdb::Slice(layout::kDestroyedMarker.data(), layout::kDestroyedMarker.size()));
  }
}

}  // namespace

std::expected<void, Error> Vault::forget(std::string_view subject, std::span<const std::string> key_ids) {
  if (!impl_->store->writable()) return fail(ErrorCode::read_only, "the vault is open read-only");
  {
    // First: from this moment on the subject reads as forgotten, whatever the disk does next.
    std::lock_guard lock(impl_->forgotten_mutex);
    impl_->forgotten.emplace(subject);
  }
  rocksdb::WriteBatch batch;
  batch.Put(layout::forgotten_key(subject), rocksdb::Slice(layout::kForgottenMarker.data(), layout::kForgottenMarker.size()));
  return impl_->destroy(batch, key_ids);
}

std::expected<void, Error> Vault::destroy_keys(std::span<const std::string> key_ids) {
  if (!impl_->store->writable()) return fail(ErrorCode::read_only, "the vault is open read-only");
  std::vector<std::string> held;
  for (const auto& id : key_ids) {
    if (has_key(id)) held.push_back(id);
  }
  if (held.empty()) return {};  // the usual case at a join: every purge heard of is done here
  rocksdb::WriteBatch batch;
  return impl_->destroy(batch, held);
}

std::expected<void, Error> Vault::Impl::destroy(rocksdb::WriteBatch& batch, std::span<const std::string> key_ids) {
  cache.evict(key_ids);
  std::lock_guard lock(forget_mutex);
  batch.Put(rocksdb::Slice(layout::kShredKey.data(), layout::kShredKey.size()),
            rocksdb::Slice(layout::kShredMarker.data(), layout::kShredMarker.size()));
  destroy_in(batch, key_ids);
  {
    std::lock_guard destroying(destroy_mutex);  // no adopt() stores these keys again meanwhile
    auto written = store->write(batch, Durability::synced);
    if (!written) return written;
  }
  return finish_shredding();
}

std::expected<void, Error> Vault::Impl::finish_shredding() {
  // The deletion alone leaves the keys' records in the write-ahead log and in tables until
  // RocksDB happens to compact them; G2 wants them gone before the answer.
  auto rewritten = store->rewrite_files();
  if (!rewritten) return rewritten;
  rocksdb::WriteBatch batch;
  batch.Delete(rocksdb::Slice(layout::kShredKey.data(), layout::kShredKey.size()));
  // Not synced: should the marker outlive a crash, the next open rewrites the files once more.
  return store->write(batch, Durability::buffered);
}

}  // namespace orgledger::vault
