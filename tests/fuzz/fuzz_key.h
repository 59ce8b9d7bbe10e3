// The fuzz corpus's checkpoint key: Ed25519 from a fixed 32-byte seed, so that the checked-in
// signed notes verify and the fuzzer reaches the signature check with valid and broken ones.
#pragma once

#include <openssl/evp.h>

#include <array>
#include <cstdint>
#include <memory>
#include <span>

#include "orgledger/ledger/env.h"
#include "orgledger/ledger/signed_note.h"
#include "targets.h"

namespace orgledger::fuzz {

inline bool fill_fuzz_seed(std::span<std::uint8_t> out) {
  for (std::size_t i = 0; i < out.size(); ++i) out[i] = static_cast<std::uint8_t>(0x42 + i);
  return true;
}

// The seed as the Env's randomness, for CheckpointKey::load (write_corpus.cc).
class FuzzSeedRandom final : public ledger::Random {
 public:
  bool fill(std::span<std::uint8_t> out) override { return fill_fuzz_seed(out); }
};

inline ledger::VerifierKey fuzz_verifier_key() {
  std::array<std::uint8_t, 32> seed{};
  fill_fuzz_seed(seed);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, nullptr, seed.data(), seed.size()), EVP_PKEY_free);
  ledger::PublicKey public_key{};
  std::size_t length = public_key.size();
  if (!key || EVP_PKEY_get_raw_public_key(key.get(), public_key.data(), &length) != 1) __builtin_trap();
  return ledger::parse_verifier_key(ledger::verifier_key_text(kFuzzKeyName, public_key)).value();
}

}  // namespace orgledger::fuzz
