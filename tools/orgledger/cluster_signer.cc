#include "cluster_signer.h"

#include <openssl/crypto.h>

#include <array>
#include <chrono>
#include <optional>

#include "orgledger/ledger/signed_note.h"

namespace orgledger::tools {
namespace {

// How long a node waits for NATS before signing with the key it has; one without waits longer.
constexpr std::chrono::seconds kPatienceWithOwnKey{5};
constexpr std::chrono::seconds kPatienceWithoutKey{60};

// The vault's label for the key's wrap: the origin is bound to it, so a record moved under
// another origin does not unwrap.
std::string wrap_label(const std::string& origin) { return "checkpoint-key/" + origin; }

struct Seed {
  std::array<std::uint8_t, 32> bytes{};
  ~Seed() { OPENSSL_cleanse(bytes.data(), bytes.size()); }
};

// The key this node proposes: its own, else a new one (not yet written anywhere).
std::expected<ledger::CheckpointKey, std::string> proposed_key(ledger::Ledger& ledger,
                                                               const std::optional<ledger::CheckpointKey>& own) {
  if (own) return *own;
  Seed seed;
  if (!ledger.env().random().fill(seed.bytes)) return std::unexpected("no randomness for a new checkpoint key");
  auto key = ledger::CheckpointKey::from_seed(seed.bytes);
  if (!key) return std::unexpected(key.error().message);
  return std::move(*key);
}

// The identity this node would give the cluster.
std::expected<cluster::SigningIdentity, std::string> proposal(ledger::Ledger& ledger, const vault::Vault& vault,
                                                              const ledger::CheckpointKey& key, std::string origin) {
  if (origin.empty()) {
    auto id = ledger.log_id();
    if (!id) return std::unexpected(id.error().message);
    origin = ledger::default_origin(*id);
  }
  Seed seed;
  auto raw = key.seed();
  if (!raw) return std::unexpected(raw.error().message);
  seed.bytes = *raw;
  OPENSSL_cleanse(raw->data(), raw->size());
  auto wrapped = vault.wrap_secret(wrap_label(origin), seed.bytes);
  if (!wrapped) return std::unexpected("the checkpoint key cannot be wrapped: " + wrapped.error().message);
  return cluster::SigningIdentity{origin, std::move(*wrapped)};
}

// The cluster's key, unwrapped by this node's master key.
std::expected<ledger::CheckpointKey, std::string> unwrapped(const vault::Vault& vault, const cluster::SigningIdentity& identity) {
  auto bytes = vault.unwrap_secret(wrap_label(identity.origin), identity.wrapped_key);
  if (!bytes) {
    return std::unexpected("the cluster's checkpoint key does not unwrap with this node's master key (" +
                           std::string(vault::to_string(bytes.error().code)) + ": " + bytes.error().message +
                           "): every node must be given the same master key");
  }
  Seed seed;
  seed.bytes = *bytes;
  OPENSSL_cleanse(bytes->data(), bytes->size());
  auto key = ledger::CheckpointKey::from_seed(seed.bytes);
  if (!key) return std::unexpected(key.error().message);
  return std::move(*key);
}

}  // namespace

std::expected<void, std::string> adopt_cluster_signer(const cluster::Options& cluster, ledger::Ledger& ledger,
                                                      const vault::Vault& vault, ledger::CheckpointerOptions& signer,
                                                      const std::function<void(const std::string&)>& note) {
  if (signer.key_file.empty()) signer.key_file = ledger::default_checkpoint_key_path(ledger.directory());
  std::optional<ledger::CheckpointKey> own;
  if (auto loaded = ledger::CheckpointKey::load(ledger.env(), signer.key_file, /*create=*/false)) {
    own = std::move(*loaded);
  } else if (loaded.error().code != ledger::ErrorCode::not_found) {
    return std::unexpected(loaded.error().message);
  }
  auto key = proposed_key(ledger, own);
  if (!key) return std::unexpected(key.error());
  auto ours = proposal(ledger, vault, *key, signer.origin);
  if (!ours) return std::unexpected(ours.error());
  auto settled = cluster::settle_signing_identity(cluster, *ours, own ? kPatienceWithOwnKey : kPatienceWithoutKey);
  if (!settled) {
    if (!own) return std::unexpected("this node has no checkpoint key and cannot learn the cluster's: " + settled.error().message);
    note("signing checkpoints with this node's own key, not confirmed as the cluster's: " + settled.error().message);
    signer.origin = ours->origin;
    return {};
  }
  if (!signer.origin.empty() && signer.origin != settled->origin) {
    return std::unexpected("--origin " + signer.origin + " is not the cluster's origin, " + settled->origin);
  }
  auto theirs = unwrapped(vault, *settled);
  if (!theirs) return std::unexpected(theirs.error());
  if (own && own->public_key() != theirs->public_key()) {
    return std::unexpected("the checkpoint key " + signer.key_file + " is not the cluster's: this node would sign the log as "
                           "a second identity. Move the file away (the node then takes the cluster's key), or give it "
                           "--checkpoint-key with the cluster's");
  }
  if (!own) {
    if (auto saved = theirs->save(ledger.env(), signer.key_file); !saved) return std::unexpected(saved.error().message);
  }
  signer.origin = settled->origin;
  return {};
}

}  // namespace orgledger::tools
