// Checkpoints as C2SP signed notes (tlog-checkpoint, API.md "The Merkle tree and signed
// checkpoints"): the text format, its parsing, verifier keys and Ed25519 verification. Pure
// functions: signing with a private key is checkpoint_key.h's.
//
//   <origin>\n<tree size, decimal>\n<root hash, base64>\n      the body (signed bytes)
//   \n
//   — <key name> <base64(4-byte key id ‖ 64-byte Ed25519 signature)>\n   one line per signature
#pragma once

#include <array>
#include <cstdint>
#include <expected>
#include <string>
#include <string_view>
#include <vector>

#include "orgledger/ledger/types.h"

namespace orgledger::ledger {

using PublicKey = std::array<std::uint8_t, 32>;  // Ed25519
using KeyId = std::array<std::uint8_t, 4>;

struct Checkpoint {
  std::string origin;
  std::uint64_t size = 0;
  Hash root{};
};

struct NoteSignature {
  std::string name;
  KeyId key_id{};
  std::string signature;  // the bytes after the key id
};

struct SignedCheckpoint {
  Checkpoint checkpoint;
  std::string body;  // exactly the signed bytes
  std::vector<NoteSignature> signatures;
};

// A checkpoint's body: three lines, each ending in '\n'.
std::string checkpoint_body(const Checkpoint& checkpoint);
// "— <name> <base64(key id ‖ signature)>\n".
std::string signature_line(const NoteSignature& signature);
// The body followed by the empty line and one signature line.
std::string signed_note(std::string_view body, const NoteSignature& signature);

// Parses a signed note holding a checkpoint. Extension lines after the root are accepted and
// ignored. Errors: invalid_argument naming what is malformed (no signature, a size with a leading
// zero or beyond 2^64, a root that is not 32 bytes of base64, a signature line not in the format).
std::expected<SignedCheckpoint, Error> parse_checkpoint(std::string_view note);

// A key name (and so a checkpoint's origin) is not empty and holds no '+', space or control
// character (C2SP signed-note).
bool valid_key_name(std::string_view name);

// The first 4 bytes of SHA-256(name ‖ '\n' ‖ 0x01 ‖ key): 0x01 is Ed25519's signature type.
KeyId note_key_id(std::string_view name, const PublicKey& key);

// A verifier key: "<name>+<8 hex key id>+<base64(0x01 ‖ key)>".
struct VerifierKey {
  std::string name;
  KeyId key_id{};
  PublicKey key{};
};
std::string verifier_key_text(std::string_view name, const PublicKey& key);
// Errors: invalid_argument (not three parts, not Ed25519, a key id that does not match the key).
std::expected<VerifierKey, Error> parse_verifier_key(std::string_view text);

// True when `signature` is a valid Ed25519 signature of `message` by `key`.
bool ed25519_verifies(const PublicKey& key, std::string_view message, std::string_view signature);
// Whether one of the note's signatures is `verifier`'s (same name and key id) and verifies over
// the body. Errors: invalid_argument (no signature by that key, or one that does not verify).
std::expected<void, Error> verify_checkpoint(const SignedCheckpoint& note, const VerifierKey& verifier);

}  // namespace orgledger::ledger
