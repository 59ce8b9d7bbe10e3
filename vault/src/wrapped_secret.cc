// Issue 18: secrets other than data keys that the nodes of a cluster share wrapped by the master
// key (the checkpoint key's seed), in the data keys' record format under a name of their own
// ("secret/<label>"), which no data key id (32 hex digits) can take: a record cannot pass for
// the other kind, nor for another label.
#include "errors.h"
#include "key_record.h"
#include "random.h"
#include "vault_impl.h"

namespace orgledger::vault {
namespace {

std::string secret_name(std::string_view label) { return "secret/" + std::string(label); }

}  // namespace

std::expected<std::string, Error> Vault::wrap_secret(std::string_view label, std::span<const std::uint8_t, 32> secret) const {
  if (!impl_->master) return fail(ErrorCode::read_only, "the vault has no master key");
  auto nonce = draw_string(*impl_->random, kNonceBytes, "a nonce");
  if (!nonce) return std::unexpected(nonce.error());
  return wrap_key(*impl_->master, secret_name(label), secret, *nonce);
}

std::expected<std::array<std::uint8_t, 32>, Error> Vault::unwrap_secret(std::string_view label, std::string_view record) const {
  if (!impl_->master) return fail(ErrorCode::read_only, "the vault has no master key");
  auto unwrapped = unwrap_key(*impl_->master, secret_name(label), record);
  if (!unwrapped) return std::unexpected(unwrapped.error());
  return unwrapped->bytes;  // the caller's copy; the SecretKey wipes its own
}

}  // namespace orgledger::vault
