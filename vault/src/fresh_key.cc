// Data keys are made ahead, kPoolSize at a time, and written in one synced batch before any of them
// is handed out: a key named by an event is durable before the event is, and the ledger's commit
// path waits on the vault's fsync only once per pool. Pooled keys left at a crash are orphans
// that never sealed anything (key_store.cc).
#include <set>

#include "errors.h"
#include "hex.h"
#include "key_record.h"
#include "random.h"
#include "vault_impl.h"

namespace orgledger::vault {

std::expected<DataKey, Error> Vault::fresh_key() {
  if (!impl_->store->writable() || !impl_->master) return fail(ErrorCode::read_only, "the vault is open read-only");
  std::lock_guard lock(impl_->pool_mutex);
  if (impl_->pool.empty()) {
    auto refilled = impl_->refill();
    if (!refilled) return std::unexpected(refilled.error());
  }
  DataKey key = impl_->pool.back();
  wipe(impl_->pool.back());
  impl_->pool.pop_back();
  SecretKey secret;
  secret.bytes = key.bytes;
  impl_->cache.insert(key.id, secret, impl_->cache.generation());
  return key;
}

namespace {

// Wipes keys that were made but not pooled (a refill that failed half-way).
struct WipeOnExit {
  std::vector<DataKey>& keys;
  ~WipeOnExit() {
    for (auto& key : keys) wipe(key);
  }
};

}  // namespace

std::expected<std::string, Error> Vault::Impl::unused_key_id(const std::set<std::string, std::less<>>& drawn) const {
  // A real source never repeats 16 random bytes; a seeded test source replays its ids after a
  // reopen, and a Put over a stored id would destroy the key that sealed someone's data.
  constexpr int kDraws = 8;
  for (int attempt = 0; attempt < kDraws; ++attempt) {
    auto bytes = draw_string(*random, 16, "a key id");
    if (!bytes) return std::unexpected(bytes.error());
    auto id = to_hex(*bytes);
    if (drawn.contains(id)) continue;
    auto stored = store->get(layout::key_key(id));
    if (!stored) return std::unexpected(stored.error());
    if (!*stored) return id;
  }
  return fail(ErrorCode::io_error, "the random source keeps repeating key ids");
}

std::expected<void, Error> Vault::Impl::refill() {
  std::vector<DataKey> made(kPoolSize);
  WipeOnExit guard{made};
  rocksdb::WriteBatch batch;
  std::set<std::string, std::less<>> ids;
  for (auto& key : made) {
    auto id = unused_key_id(ids);
    if (!id) return std::unexpected(id.error());
    key.id = std::move(*id);
    ids.insert(key.id);
    auto drawn = draw(*random, key.bytes, "a data key");
    if (!drawn) return std::unexpected(drawn.error());
    auto nonce = draw_string(*random, kNonceBytes, "a nonce");
    if (!nonce) return std::unexpected(nonce.error());
    auto record = wrap_key(*master, key.id, key.bytes, *nonce);
    if (!record) return std::unexpected(record.error());
    batch.Put(layout::key_key(key.id), *record);
  }
  auto written = store->write(batch, Durability::synced);
  if (!written) return std::unexpected(written.error());
  pool.swap(made);  // `made` now holds the old, empty pool
  return {};
}

void Vault::Impl::discard_pool() {
  if (pool.empty()) return;
  // Not synced: a pooled key that survives a crash is an orphan, not a leak (it sealed nothing).
  if (store && store->writable()) {
    rocksdb::WriteBatch batch;
    for (const auto& key : pool) batch.Delete(layout::key_key(key.id));
    (void)store->write(batch, Durability::buffered);
  }
  for (auto& key : pool) wipe(key);
  pool.clear();
}

}  // namespace orgledger::vault
