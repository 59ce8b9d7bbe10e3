// settle_signing_identity (cluster.h): one record, "identity", in the bucket "<stream>_signer",
// created once (create-only, so two nodes starting together cannot both win) and never replaced:
// a checkpoint signed under one identity must stay verifiable by everyone who trusted it.
#include <thread>

#include "nats_link.h"
#include "orgledger/cluster/cluster.h"
#include "writer_lease.h"

namespace orgledger::cluster {
namespace {

constexpr const char* kIdentityKey = "identity";

// "<origin>\n<wrapped key>": an origin holds no control character (signed_note.h).
std::string encode_identity(const SigningIdentity& identity) { return identity.origin + "\n" + identity.wrapped_key; }

std::expected<SigningIdentity, Error> decode_identity(std::string_view value) {
  const auto newline = value.find('\n');
  if (newline == std::string_view::npos || newline == 0 || newline + 1 == value.size()) {
    return std::unexpected(Error{"the cluster's signing identity is not a record this build wrote"});
  }
  return SigningIdentity{std::string(value.substr(0, newline)), std::string(value.substr(newline + 1))};
}

// One attempt: the identity in the bucket, putting `proposed` there first when it holds none.
// nullopt: NATS did not answer (try again).
std::optional<std::expected<SigningIdentity, Error>> settle_once(NatsLink& link, const Options& options,
                                                                 const SigningIdentity& proposed, std::string& why) {
  if (!link.connected()) {
    why = "NATS does not answer";
    return std::nullopt;
  }
  auto bucket = open_bucket(link, options.stream + "_signer", options.replicas, std::chrono::milliseconds(0));
  if (!bucket) {
    why = bucket.error().message;
    return std::nullopt;
  }
  const std::string value = encode_identity(proposed);
  std::uint64_t revision = 0;
  const natsStatus created = kvStore_Create(&revision, bucket->get(), kIdentityKey, value.data(), static_cast<int>(value.size()));
  if (created == NATS_OK) return proposed;
  kvEntry* raw = nullptr;
  const natsStatus got = kvStore_Get(&raw, bucket->get(), kIdentityKey);
  if (got != NATS_OK) {  // the create failed for another reason than a record already there
    why = describe(created);
    return std::nullopt;
  }
  Owned<kvEntry> entry(raw);
  return decode_identity(entry_value(raw));
}

}  // namespace

std::expected<SigningIdentity, Error> settle_signing_identity(const Options& options, const SigningIdentity& proposed,
                                                              std::chrono::milliseconds patience) {
  auto link = NatsLink::connect(options.servers, "orgledger " + options.node + " (signing identity)");
  if (!link) return std::unexpected(link.error());
  const auto deadline = std::chrono::steady_clock::now() + patience;
  std::string why;
  for (;;) {
    if (auto settled = settle_once(**link, options, proposed, why)) return std::move(*settled);
    if (std::chrono::steady_clock::now() >= deadline) {
      return std::unexpected(Error{"the cluster's signing identity could not be read: " + why});
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
}

}  // namespace orgledger::cluster
