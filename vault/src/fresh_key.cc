// Data keys are made ahead, kPoolSize at a time, and written in one synced batch before any of them
// is handed out: a key named by an event is durable before the event is. With the system's random
// source a background thread refills the pool when it runs low, so the submitters (who seal on
// their own threads, before the ledger's writer) wait on the vault's fsync only when the pool ran
// dry. Pooled keys left at a crash are orphans that never sealed anything (key_store.cc).
#include <openssl/crypto.h>

#include <algorithm>
#include <iterator>
#include <set>

#include "errors.h"
#include "hex.h"
#include "key_record.h"
#include "random.h"
#include "vault_impl.h"

namespace orgledger::vault {

std::expected<DataKey, Error> Vault::fresh_key() {
  if (!impl_->store->writable() || !impl_->master) return fail(ErrorCode::read_only, "the vault is open read-only");
  std::unique_lock lock(impl_->pool_mutex);
  if (impl_->background) {
    impl_->refill_in_background(lock);
    if (impl_->pool.empty() && impl_->refill_error) {
      auto error = *impl_->refill_error;
      impl_->refill_error.reset();  // the next call tries again
      return std::unexpected(error);
    }
  } else if (impl_->pool.empty()) {
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

void Vault::Impl::refill_in_background(std::unique_lock<std::mutex>& lock) {
  if (pool.size() < kLowWater && !refilling) {
    refill_wanted = true;
    if (!refiller.joinable()) refiller = std::thread([this] { run_refiller(); });
    pool_changed.notify_all();
  }
  // Dry: wait for the refill under way (its error, if it fails, is the caller's).
  pool_changed.wait(lock, [this] { return !pool.empty() || refill_error.has_value() || stopping; });
}

void Vault::Impl::run_refiller() {
  std::unique_lock lock(pool_mutex);
  while (true) {
    pool_changed.wait(lock, [this] { return refill_wanted || stopping; });
    if (stopping) return;
    refill_wanted = false;
    refilling = true;
    lock.unlock();
    auto made = make_keys();
    lock.lock();
    refilling = false;
    if (made) {
      pool.insert(pool.begin(), std::make_move_iterator(made->begin()), std::make_move_iterator(made->end()));
      for (auto& key : *made) wipe(key);
    } else {
      refill_error = made.error();
    }
    pool_changed.notify_all();
  }
}

void Vault::Impl::stop_refiller() {
  {
    std::lock_guard lock(pool_mutex);
    stopping = true;
  }
  pool_changed.notify_all();
  if (refiller.joinable()) refiller.join();
}

std::expected<void, Error> Vault::Impl::refill() {
  auto made = make_keys();
  if (!made) return std::unexpected(made.error());
  pool.swap(*made);  // `made` now holds the old, empty pool
  return {};
}

namespace {

// The randomness of one refill. The system's source is asked once for all of it (a RAND_bytes call
// costs far more than its few bytes); an injected source call by call, in the order it always was,
// so a seeded one stays reproducible.
class RefillEntropy {
 public:
  RefillEntropy(Random& random, bool bulk) : random_(random), bulk_(bulk) {}
  ~RefillEntropy() { OPENSSL_cleanse(buffer_.data(), buffer_.size()); }
  RefillEntropy(const RefillEntropy&) = delete;
  RefillEntropy& operator=(const RefillEntropy&) = delete;

  std::expected<void, Error> prepare(std::size_t bytes) {
    if (!bulk_) return {};
    buffer_.resize(bytes);
    return draw(random_, buffer_, "a refill of data keys");
  }
  std::expected<void, Error> fill(std::span<std::uint8_t> out, const char* what) {
    if (!bulk_) return draw(random_, out, what);
    std::copy_n(buffer_.begin() + static_cast<std::ptrdiff_t>(used_), out.size(), out.begin());
    used_ += out.size();
    return {};
  }
  std::expected<std::string, Error> string(std::size_t size, const char* what) {
    std::string out(size, '\0');
    auto filled = fill({reinterpret_cast<std::uint8_t*>(out.data()), size}, what);
    if (!filled) return std::unexpected(filled.error());
    return out;
  }

 private:
  Random& random_;
  bool bulk_;
  std::vector<std::uint8_t> buffer_;
  std::size_t used_ = 0;
};

constexpr std::size_t kKeyIdBytes = 16;

}  // namespace

std::expected<std::vector<DataKey>, Error> Vault::Impl::make_keys() {
  std::vector<DataKey> made(kPoolSize);
  WipeOnExit guard{made};
  RefillEntropy entropy(*random, background);
  if (auto prepared = entropy.prepare(kPoolSize * (kKeyIdBytes + kKeyBytes + kNonceBytes)); !prepared) {
    return std::unexpected(prepared.error());
  }
  auto sealer = GcmSealer::keyed(master->key.view());
  if (!sealer) return std::unexpected(sealer.error());
  rocksdb::WriteBatch batch;
  std::vector<WrappedKey> shared;  // what the cluster is given (issue 18): wrapped records only
  shared.reserve(kPoolSize);
  std::set<std::string, std::less<>> ids;
  for (auto& key : made) {
    // An injected source is checked against the stored ids (unused_key_id); the system's never repeats.
    auto id = background ? entropy.string(kKeyIdBytes, "a key id") : unused_key_id(ids);
    if (!id) return std::unexpected(id.error());
    if (background) *id = to_hex(*id);
    if (!ids.insert(*id).second) return fail(ErrorCode::io_error, "the random source repeated a key id");
    key.id = std::move(*id);
    auto drawn = entropy.fill(key.bytes, "a data key");
    if (!drawn) return std::unexpected(drawn.error());
    auto nonce = entropy.string(kNonceBytes, "a nonce");
    if (!nonce) return std::unexpected(nonce.error());
    auto record = wrap_key_with(*sealer, *master, key.id, key.bytes, *nonce);
    if (!record) return std::unexpected(record.error());
    batch.Put(layout::key_key(key.id), *record);
    shared.push_back(WrappedKey{key.id, std::move(*record)});
  }
  auto written = store->write(batch, Durability::synced);
  if (!written) return std::unexpected(written.error());
  // The pool hands keys out from its back: shared in that order, the first key used is the first
  // the other nodes are given.
  std::reverse(shared.begin(), shared.end());
  if (auto handed = share_made(shared); !handed) return std::unexpected(handed.error());
  std::vector<DataKey> out;
  out.swap(made);  // the guard wipes the (now empty) `made` only
  return out;
}

std::expected<void, Error> Vault::discard_unused(std::span<const std::string> key_ids) {
  if (!impl_->store->writable() || !impl_->master) return fail(ErrorCode::read_only, "the vault is open read-only");
  if (key_ids.empty()) return {};
  rocksdb::WriteBatch batch;
  for (const auto& id : key_ids) batch.Delete(layout::key_key(id));
  impl_->cache.evict(key_ids);
  return impl_->store->write(batch, Durability::buffered);
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
