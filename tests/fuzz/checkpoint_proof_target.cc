// Fuzz target: what an outsider is handed to check the log: a signed checkpoint (C2SP signed note)
// with a verifier key, or a Merkle proof answer (API.md "The Merkle tree and signed checkpoints").
#include <nlohmann/json.hpp>


#include "orgledger/api/tree_json.h"
#include "orgledger/ledger/signed_note.h"
#include "fuzz_key.h"
#include "targets.h"

namespace orgledger::fuzz {

void checkpoint_proof(std::span<const std::uint8_t> input) {
  if (input.empty()) return;
  const std::string_view text(reinterpret_cast<const char*>(input.data() + 1), input.size() - 1);
  if (input[0] % 2 == 1) {
    auto proof = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
    if (!proof.is_discarded()) (void)api::check_proof_json(proof);
    return;
  }
  static const ledger::VerifierKey verifier = fuzz_verifier_key();
  if (auto note = ledger::parse_checkpoint(text)) {
    (void)ledger::verify_checkpoint(*note, verifier);
    // What parses prints back as the bytes it was read from (its body is exactly what was signed).
    if (!text.starts_with(note->body)) __builtin_trap();
  }
  (void)ledger::parse_verifier_key(text);
}

}  // namespace orgledger::fuzz
