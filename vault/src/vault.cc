#include <openssl/crypto.h>

#include "aes_gcm.h"
#include "errors.h"
#include "hex.h"
#include "key_record.h"
#include "random.h"
#include "vault_impl.h"

namespace orgledger::vault {
namespace {

std::expected<std::optional<std::string>, Error> read_master_id(const KeyStore& store) {
  auto recorded = store.get(layout::kMasterKey);
  if (!recorded) return std::unexpected(recorded.error());
  if (*recorded && (*recorded)->size() != kMasterIdBytes) {
    return fail(ErrorCode::corrupt, "the key store's master key id is malformed");
  }
  return recorded;
}

// The master key of a store that has one (m/master): it must be the one named (or the default).
std::expected<MasterKey, Error> existing_master(ledger::Env& os, const std::string& path, const std::string& expected_id) {
  auto master = read_master_key_file(os, path);
  if (!master) {
    master.error().message += " (the key store's keys are wrapped by master key " + to_hex(expected_id) + ")";
    return std::unexpected(master.error());
  }
  if (master->id != expected_id) {
    std::string message = "the key store's keys are wrapped by master key " + to_hex(expected_id) + ", not by " +
                          to_hex(master->id) + " from " + path;
    if (file_exists(os, path + ".next").value_or(false)) message += " (an unfinished rotation? run keys rotate-master again)";
    return fail(ErrorCode::bad_master_key, std::move(message));
  }
  return master;
}

// A new store's master key: the file named, else the default one, created on first use (G1).
std::expected<MasterKey, Error> new_master(const Options& options, const std::string& path, ledger::Env& os) {
  auto exists = file_exists(os, path);
  if (!exists) return std::unexpected(exists.error());
  if (*exists || options.master_key_file) return read_master_key_file(os, path);
  auto master = generate_master_key(os.random());
  if (!master) return master;
  auto written = write_master_key_file(os, path, *master);
  if (!written) return std::unexpected(written.error());
  return master;
}

}  // namespace

void wipe(DataKey& key) { OPENSSL_cleanse(key.bytes.data(), key.bytes.size()); }

Vault::Vault() : impl_(std::make_unique<Impl>()) {}

Vault::~Vault() {
  impl_->stop_refiller();
  std::lock_guard lock(impl_->pool_mutex);
  impl_->discard_pool();
}

std::expected<std::unique_ptr<Vault>, Error> Vault::open(const Options& options) {
  if (options.directory.empty()) return fail(ErrorCode::invalid_argument, "no vault directory given");
  std::unique_ptr<Vault> vault(new Vault());
  Impl& impl = *vault->impl_;
  ledger::Env& os = options.env != nullptr ? *options.env : ledger::Env::system();
  impl.os = &os;
  impl.random = &os.random();
  // Only the system's source may be asked from any thread; a test's must be asked in order.
  impl.background = impl.random == &ledger::Env::system().random();
  auto store = KeyStore::open(options.directory, options.mode, os);
  if (!store) return std::unexpected(store.error());
  impl.store = std::move(*store);
  if (!impl.store->exists()) return vault;

  auto rotation = impl.store->get(layout::kRotationKey);
  if (!rotation) return std::unexpected(rotation.error());
  if (*rotation) {
    return fail(ErrorCode::bad_master_key, "a rotation to master key " + to_hex(**rotation) +
                                               " is unfinished: its keys are wrapped under two master keys; "
                                               "run keys rotate-master again with the same files");
  }
  auto recorded = read_master_id(*impl.store);
  if (!recorded) return std::unexpected(recorded.error());
  const auto path = options.master_key_file.value_or(default_master_key_path(options.directory));
  if (*recorded) {
    auto master = existing_master(os, path, **recorded);
    if (!master) return std::unexpected(master.error());
    impl.master = std::move(*master);
  } else if (options.mode == Mode::read_write) {
    // A new store: its master key is bound before any key exists (m/master, key_store.cc).
    auto master = new_master(options, path, os);
    if (!master) return std::unexpected(master.error());
    rocksdb::WriteBatch batch;
    batch.Put(rocksdb::Slice(layout::kMasterKey.data(), layout::kMasterKey.size()), master->id);
    auto written = impl.store->write(batch, Durability::synced);
    if (!written) return std::unexpected(written.error());
    impl.master = std::move(*master);
  }
  // (read_only without m/master: a store whose creation stopped before any key; nothing to unwrap.)

  auto loaded = impl.store->scan(layout::kForgottenPrefix, [&](std::string_view key, std::string_view) {
    impl.forgotten.emplace(key.substr(layout::kForgottenPrefix.size()));
    return std::expected<void, Error>();
  });
  if (!loaded) return std::unexpected(loaded.error());

  if (options.mode == Mode::read_write) {
    auto pending = impl.store->get(layout::kShredKey);
    if (!pending) return std::unexpected(pending.error());
    if (*pending) {
      // G2: a forget deleted keys but stopped before their files were rewritten.
      auto finished = impl.finish_shredding();
      if (!finished) return std::unexpected(finished.error());
    }
  }
  return vault;
}

std::expected<Sealed, Error> Vault::seal(const DataKey& key, std::string_view subject, std::string_view plaintext) {
  if (!is_key_id(key.id)) return fail(ErrorCode::invalid_argument, "malformed key id '" + key.id + "'");
  auto nonce = draw_string(*impl_->random, kNonceBytes, "a nonce");
  if (!nonce) return std::unexpected(nonce.error());
  auto ciphertext = gcm_seal(key.bytes, *nonce, subject, plaintext);
  if (!ciphertext) return std::unexpected(ciphertext.error());
  return Sealed{key.id, std::move(*nonce), std::move(*ciphertext)};
}

std::expected<std::optional<std::string>, Error> Vault::open(std::string_view subject, const Sealed& sealed) const {
  if (!is_key_id(sealed.key_id)) return fail(ErrorCode::invalid_argument, "sealed value: malformed key id");
  if (sealed.nonce.size() != kNonceBytes) return fail(ErrorCode::invalid_argument, "sealed value: the nonce is not 12 bytes");
  if (sealed.ciphertext.size() < kTagBytes) return fail(ErrorCode::invalid_argument, "sealed value: shorter than its tag");
  if (forgotten(subject)) return std::nullopt;
  auto key = impl_->data_key(sealed.key_id);
  if (key && !*key) key = impl_->fetched_key(sealed.key_id);  // issue 18: made by another node
  if (!key) return std::unexpected(key.error());
  if (!*key) return std::nullopt;  // destroyed or never made here: reads as forgotten
  auto plaintext = gcm_open((*key)->view(), sealed.nonce, subject, sealed.ciphertext);
  if (!plaintext) return std::unexpected(plaintext.error());
  return std::move(*plaintext);
}

std::expected<std::optional<SecretKey>, Error> Vault::Impl::data_key(std::string_view key_id) const {
  if (auto cached = cache.find(key_id)) return cached;
  if (!master) return std::nullopt;
  const auto generation = cache.generation();
  auto record = store->get(layout::key_key(key_id));
  if (!record) return std::unexpected(record.error());
  if (!*record) return std::nullopt;
  auto key = unwrap_key(*master, key_id, **record);
  if (!key) return std::unexpected(key.error());
  cache.insert(std::string(key_id), *key, generation);
  return std::move(*key);
}

bool Vault::forgotten(std::string_view subject) const {
  std::lock_guard lock(impl_->forgotten_mutex);
  return impl_->forgotten.contains(subject);
}

bool Vault::has_key(std::string_view key_id) const {
  if (!is_key_id(key_id)) return false;
  auto record = impl_->store->get(layout::key_key(key_id));
  return record && record->has_value();
}

std::size_t Vault::key_count() const {
  std::size_t count = 0;
  (void)impl_->store->scan(layout::kKeyPrefix, [&](std::string_view, std::string_view) {
    ++count;
    return std::expected<void, Error>();
  });
  return count;
}

}  // namespace orgledger::vault
