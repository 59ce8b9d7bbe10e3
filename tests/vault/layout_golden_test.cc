// The key store's persisted format (grammar: vault/src/key_store.cc), byte for byte. The expected
// bytes were computed independently (Python `cryptography`'s AESGCM and hashlib), not by this code.
#include <catch2/catch.hpp>

#include "hex.h"
#include "key_record.h"
#include "master_key.h"
#include "temp_dir.h"
#include "vault_testing.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

// master key = 00 01 … 1f, key id = hex(00 … 0f), data key = 20 … 3f, nonce = 40 … 4b.
vault::MasterKey golden_master() {
  std::string raw;
  for (int i = 0; i < 32; ++i) raw.push_back(static_cast<char>(i));
  return vault::parse_master_key(raw, "golden").value();
}
const std::string kKeyId = "000102030405060708090a0b0c0d0e0f";
const std::string kGoldenRecord = hex_bytes(
    "01"                                  // format
    "630dcd2966c43366"                    // master id: SHA-256(master)[0..8)
    "404142434445464748494a4b"            // nonce
    "c2988c000219a124e5ed3d1db7493d7449f7606f830039144f7e74deab2ed3e4"  // wrapped data key
    "de0bcf8fc238fea75349817be5a3a07b");  // tag

std::array<std::uint8_t, 32> golden_data_key() {
  std::array<std::uint8_t, 32> key{};
  for (int i = 0; i < 32; ++i) key[i] = static_cast<std::uint8_t>(32 + i);
  return key;
}

}  // namespace

TEST_CASE("layout: a k/ record is 0x01, master id, nonce, AES-256-GCM(data key) with AAD orgledger-vault-key/id") {
  const auto master = golden_master();
  CHECK(hex_of(master.id) == "630dcd2966c43366");
  std::string nonce;
  for (int i = 0; i < 12; ++i) nonce.push_back(static_cast<char>(0x40 + i));
  const auto data_key = golden_data_key();
  const auto record = vault::wrap_key(master, kKeyId, data_key, nonce).value();
  CHECK(record.size() == 69);
  CHECK(hex_of(record) == hex_of(kGoldenRecord));
  CHECK(vault::unwrap_key(master, kKeyId, kGoldenRecord).value().bytes == data_key);
}

TEST_CASE("layout: a record moved to another id, altered, or truncated → corrupt, another master → bad_master_key") {
  const auto master = golden_master();
  CHECK(vault::unwrap_key(master, "ff0102030405060708090a0b0c0d0e0f", kGoldenRecord).error().code == vault::ErrorCode::corrupt);
  auto altered = kGoldenRecord;
  altered[40] ^= 0x01;
  CHECK(vault::unwrap_key(master, kKeyId, altered).error().code == vault::ErrorCode::corrupt);
  CHECK(vault::unwrap_key(master, kKeyId, kGoldenRecord.substr(0, 68)).error().code == vault::ErrorCode::corrupt);
  auto other = master;
  other.key.bytes[0] ^= 0x01;
  other.id = vault::master_key_id(other.key.view());
  const auto refused = vault::unwrap_key(other, kKeyId, kGoldenRecord);
  CHECK(refused.error().code == vault::ErrorCode::bad_master_key);
  CHECK_THAT(refused.error().message, Catch::Contains("630dcd2966c43366"));
}

TEST_CASE("layout: a vault's store holds m/master = master id, k/<id> records of the grammar, f/<subject> = 0x01") {
  TempDir dir;
  const vault::Options options{.directory = dir.sub("vault")};
  vault::DataKey key;
  {
    auto v = open_vault(options);
    key = v->fresh_key().value();
    REQUIRE(v->forget("user:gone", {}));
  }
  const auto master = vault::read_master_key_file(ledger::Env::system(), dir.sub("master.key")).value();
  CHECK(raw_value(options.directory, "m/master") == master.id);
  CHECK(raw_value(options.directory, "f/user:gone") == std::string("\x01"));
  CHECK_FALSE(raw_value(options.directory, "m/shred"));
  CHECK_FALSE(raw_value(options.directory, "m/rotation"));
  const auto record = raw_value(options.directory, "k/" + key.id).value();
  REQUIRE(record.size() == 69);
  CHECK(record[0] == '\x01');
  CHECK(record.substr(1, 8) == master.id);
  // Decrypted here with the test vector-checked primitive, independently of unwrap_key.
  const auto data_key = vault::gcm_open(master.key.view(), record.substr(9, 12), "orgledger-vault-key/" + key.id,
                                        record.substr(21)).value();
  CHECK(data_key == bytes_of(key));
}
