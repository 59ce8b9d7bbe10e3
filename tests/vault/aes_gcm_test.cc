// AES-256-GCM (aes_gcm.h) against the published test vector, and every tamper → corrupt.
#include <catch2/catch.hpp>

#include "aes_gcm.h"
#include "vault_testing.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

// McGrew & Viega, "The Galois/Counter Mode of Operation", test case 16 (256-bit key, 96-bit IV,
// 20 bytes of AAD), as in NIST's GCM validation vectors.
const std::string kKey = hex_bytes("feffe9928665731c6d6a8f9467308308feffe9928665731c6d6a8f9467308308");
const std::string kPlaintext = hex_bytes(
    "d9313225f88406e5a55909c5aff5269a86a7a9531534f7da2e4c303d8a318a721c3c0c95956809532fcf0e2449a6b525b16aedf5aa0de657ba637b39");
const std::string kAad = hex_bytes("feedfacedeadbeeffeedfacedeadbeefabaddad2");
const std::string kNonce = hex_bytes("cafebabefacedbaddecaf888");
const std::string kSealed = hex_bytes(
    "522dc1f099567d07f47f37a32a84427d643a8cdcbfe5c0c97598a2bd2555d1aa8cb08e48590dbb3da7b08b1056828838c5f61e6393ba7a0abcc9f662"
    "76fc6ece0f4e1768cddf8853bb2d551b");

vault::KeyView key_view(const std::string& key) {
  return vault::KeyView(reinterpret_cast<const std::uint8_t*>(key.data()), vault::kKeyBytes);
}

}  // namespace

TEST_CASE("aes-gcm: seal matches the published test vector (test case 16), and open inverts it") {
  CHECK(vault::gcm_seal(key_view(kKey), kNonce, kAad, kPlaintext).value() == kSealed);
  CHECK(vault::gcm_open(key_view(kKey), kNonce, kAad, kSealed).value() == kPlaintext);
}

TEST_CASE("aes-gcm: any altered byte, another AAD, nonce or key, or a truncated tag → corrupt") {
  for (std::size_t i = 0; i < kSealed.size(); ++i) {
    auto altered = kSealed;
    altered[i] ^= 0x01;
    INFO("byte " << i);
    CHECK(vault::gcm_open(key_view(kKey), kNonce, kAad, altered).error().code == vault::ErrorCode::corrupt);
  }
  auto other_aad = kAad;
  other_aad.back() ^= 0x80;
  CHECK(vault::gcm_open(key_view(kKey), kNonce, other_aad, kSealed).error().code == vault::ErrorCode::corrupt);
  CHECK(vault::gcm_open(key_view(kKey), kNonce, "", kSealed).error().code == vault::ErrorCode::corrupt);
  auto other_nonce = kNonce;
  other_nonce[0] ^= 0x01;
  CHECK(vault::gcm_open(key_view(kKey), other_nonce, kAad, kSealed).error().code == vault::ErrorCode::corrupt);
  auto other_key = kKey;
  other_key[31] ^= 0x01;
  CHECK(vault::gcm_open(key_view(other_key), kNonce, kAad, kSealed).error().code == vault::ErrorCode::corrupt);
  CHECK(vault::gcm_open(key_view(kKey), kNonce, kAad, kSealed.substr(0, kSealed.size() - 1)).error().code ==
        vault::ErrorCode::corrupt);
  CHECK(vault::gcm_open(key_view(kKey), kNonce, kAad, kSealed.substr(0, 15)).error().code == vault::ErrorCode::corrupt);
}

TEST_CASE("aes-gcm: an empty plaintext and an empty AAD round-trip, and a bad nonce length is refused") {
  const auto sealed = vault::gcm_seal(key_view(kKey), kNonce, "", "").value();
  CHECK(sealed.size() == vault::kTagBytes);
  CHECK(vault::gcm_open(key_view(kKey), kNonce, "", sealed).value().empty());
  CHECK(vault::gcm_seal(key_view(kKey), "short", kAad, kPlaintext).error().code == vault::ErrorCode::invalid_argument);
}
