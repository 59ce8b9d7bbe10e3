#include "key_record.h"

#include <cstring>

#include "errors.h"
#include "hex.h"

namespace orgledger::vault {

std::string key_record_aad(std::string_view key_id) { return "orgledger-vault-key/" + std::string(key_id); }

std::expected<std::string, Error> wrap_key(const MasterKey& master, std::string_view key_id,
                                           std::span<const std::uint8_t, kKeyBytes> data_key, std::string_view nonce) {
  auto sealer = GcmSealer::keyed(master.key.view());
  if (!sealer) return std::unexpected(sealer.error());
  return wrap_key_with(*sealer, master, key_id, data_key, nonce);
}

std::expected<std::string, Error> wrap_key_with(GcmSealer& sealer, const MasterKey& master, std::string_view key_id,
                                                std::span<const std::uint8_t, kKeyBytes> data_key, std::string_view nonce) {
  auto wrapped = sealer.seal(nonce, key_record_aad(key_id), {reinterpret_cast<const char*>(data_key.data()), data_key.size()});
  if (!wrapped) return std::unexpected(wrapped.error());
  std::string record;
  record.reserve(kKeyRecordBytes);
  record.push_back(kKeyRecordFormat);
  record += master.id;
  record += nonce;
  record += *wrapped;
  return record;
}

std::optional<std::string_view> record_master_id(std::string_view record) {
  if (record.size() != kKeyRecordBytes || record[0] != kKeyRecordFormat) return std::nullopt;
  return record.substr(1, kMasterIdBytes);
}

std::expected<SecretKey, Error> unwrap_key(const MasterKey& master, std::string_view key_id, std::string_view record) {
  const auto wrapped_by = record_master_id(record);
  if (!wrapped_by) return fail(ErrorCode::corrupt, "the record of key " + std::string(key_id) + " is malformed");
  if (*wrapped_by != master.id) {
    return fail(ErrorCode::bad_master_key, "key " + std::string(key_id) + " is wrapped by master key " +
                                               to_hex(*wrapped_by) + ", not by " + to_hex(master.id));
  }
  const auto nonce = record.substr(1 + kMasterIdBytes, kNonceBytes);
  auto data_key = gcm_open(master.key.view(), nonce, key_record_aad(key_id), record.substr(1 + kMasterIdBytes + kNonceBytes));
  if (!data_key) {
    return fail(ErrorCode::corrupt, "the record of key " + std::string(key_id) + " does not verify: " + data_key.error().message);
  }
  SecretKey key;
  std::memcpy(key.bytes.data(), data_key->data(), kKeyBytes);
  wipe(*data_key);
  return key;
}

}  // namespace orgledger::vault
