// Issue 18: the data keys the nodes of a cluster share. The writer hands each batch of keys it
// makes ahead to the others (wrapped, never in clear) before any of them seals a value; every
// other node stores them as they come, so that it can open what the writer sealed (G3), and keeps
// out any key it has destroyed (G2).
#include "errors.h"
#include "hex.h"
#include "key_record.h"
#include "vault_impl.h"

namespace orgledger::vault {

void Vault::share_new_keys_with(ShareKeys share) {
  std::lock_guard lock(impl_->share_mutex);
  impl_->share_new_keys = std::move(share);
}

std::expected<void, Error> Vault::Impl::share_made(std::span<const WrappedKey> keys) {
  ShareKeys share;
  {
    std::lock_guard lock(share_mutex);
    share = share_new_keys;
  }
  if (!share) return {};
  if (auto shared = share(keys); !shared) {
    // The keys stay in this store as orphans (like pooled keys at a crash): they sealed nothing.
    return fail(ErrorCode::io_error, "new data keys could not be shared with the cluster: " + shared.error());
  }
  return {};
}

std::expected<std::size_t, Error> Vault::adopt(std::span<const WrappedKey> keys) { return impl_->adopt(keys); }

std::expected<std::size_t, Error> Vault::Impl::adopt(std::span<const WrappedKey> keys) {
  if (!store->writable() || !master) return fail(ErrorCode::read_only, "the vault is open read-only");
  std::lock_guard lock(destroy_mutex);
  rocksdb::WriteBatch batch;
  std::size_t adopted = 0;
  std::optional<Error> refused;
  for (const auto& key : keys) {
    if (!is_key_id(key.id)) {
      refused = Error{ErrorCode::corrupt, "a shared key's id is malformed"};
      break;
    }
    auto destroyed = store->get(layout::destroyed_key(key.id));
    if (!destroyed) return std::unexpected(destroyed.error());
    auto held = store->get(layout::key_key(key.id));
    if (!held) return std::unexpected(held.error());
    if (*destroyed || *held) continue;
    // Checked before it is stored: a key that does not unwrap here would read as forgotten.
    if (auto unwrapped = unwrap_key(*master, key.id, key.record); !unwrapped) {
      refused = unwrapped.error();
      break;
    }
    batch.Put(layout::key_key(key.id), rocksdb::Slice(key.record.data(), key.record.size()));
    ++adopted;
  }
  if (adopted > 0) {
    if (auto written = store->write(batch, Durability::buffered); !written) return std::unexpected(written.error());
  }
  if (refused) return std::unexpected(*refused);
  return adopted;
}

void Vault::fetch_absent_keys_with(FetchKey fetch) {
  std::lock_guard lock(impl_->fetch_mutex);
  impl_->fetch_absent = std::move(fetch);
}

std::expected<std::optional<SecretKey>, Error> Vault::Impl::fetched_key(std::string_view key_id) {
  FetchKey fetch;
  {
    std::lock_guard lock(fetch_mutex);
    fetch = fetch_absent;
  }
  if (!fetch || !store->writable() || !master) return std::nullopt;
  auto destroyed = store->get(layout::destroyed_key(key_id));
  if (!destroyed) return std::unexpected(destroyed.error());
  if (*destroyed) return std::nullopt;  // G2: never asked for again
  auto record = fetch(key_id);
  if (!record) return std::nullopt;
  const WrappedKey key{std::string(key_id), std::move(*record)};
  if (auto adopted = adopt({&key, 1}); !adopted) return std::unexpected(adopted.error());
  return data_key(key_id);
}

}  // namespace orgledger::vault
