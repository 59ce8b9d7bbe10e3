// C2SP signed notes (https://c2sp.org/signed-note) carrying tlog-checkpoints
// (https://c2sp.org/tlog-checkpoint), with Ed25519 through OpenSSL's EVP interface.
#include "orgledger/ledger/signed_note.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include <charconv>
#include <cstring>
#include <memory>

#include "orgledger/ledger/base64.h"

namespace orgledger::ledger {
namespace {

constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // "— ": an em dash and a space
constexpr std::uint8_t kEd25519Type = 0x01;

Error malformed(const std::string& what) { return Error{ErrorCode::invalid_argument, "not a checkpoint: " + what}; }

std::string hex_of(std::span<const std::uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (auto byte : bytes) {
    out += kDigits[byte >> 4];
    out += kDigits[byte & 0x0f];
  }
  return out;
}

// Splits `text` into lines, each of which must end in '\n'; nullopt when the last does not.
std::optional<std::vector<std::string_view>> lines_of(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const auto end = text.find('\n');
    if (end == std::string_view::npos) return std::nullopt;
    lines.push_back(text.substr(0, end));
    text.remove_prefix(end + 1);
  }
  return lines;
}

std::optional<std::uint64_t> decimal(std::string_view text) {
  std::uint64_t value = 0;
  if (text.empty() || (text.size() > 1 && text.front() == '0')) return std::nullopt;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

std::expected<NoteSignature, Error> parse_signature_line(std::string_view line) {
  if (!line.starts_with(kSignaturePrefix)) return std::unexpected(malformed("a signature line must start with '— '"));
  line.remove_prefix(kSignaturePrefix.size());
  const auto space = line.find(' ');
  if (space == 0 || space == std::string_view::npos) return std::unexpected(malformed("a signature line has no key name"));
  auto bytes = decode_base64(line.substr(space + 1));
  if (!bytes || bytes->size() < 5) return std::unexpected(malformed("a signature is not base64 of a key id and a signature"));
  NoteSignature signature;
  signature.name = std::string(line.substr(0, space));
  std::memcpy(signature.key_id.data(), bytes->data(), signature.key_id.size());
  signature.signature = bytes->substr(signature.key_id.size());
  return signature;
}

}  // namespace

bool valid_key_name(std::string_view name) {
  if (name.empty()) return false;
  for (unsigned char c : name) {
    if (c == '+' || c <= ' ' || c == 0x7f) return false;
  }
  return true;
}

std::string checkpoint_body(const Checkpoint& checkpoint) {
  return checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" + base64(checkpoint.root) + "\n";
}

std::string signature_line(const NoteSignature& signature) {
  std::string bytes(reinterpret_cast<const char*>(signature.key_id.data()), signature.key_id.size());
  bytes += signature.signature;
  return std::string(kSignaturePrefix) + signature.name + " " + base64(bytes) + "\n";
}

std::string signed_note(std::string_view body, const NoteSignature& signature) {
  return std::string(body) + "\n" + signature_line(signature);
}

std::expected<SignedCheckpoint, Error> parse_checkpoint(std::string_view note) {
  // The body ends at the first empty line; signatures follow it.
  const auto split = note.find("\n\n");
  if (split == std::string_view::npos) return std::unexpected(malformed("no empty line before the signatures"));
  SignedCheckpoint parsed;
  parsed.body = std::string(note.substr(0, split + 1));
  auto body = lines_of(parsed.body);
  auto signature_lines = lines_of(note.substr(split + 2));
  if (!body || body->size() < 3) return std::unexpected(malformed("the body has fewer than three lines"));
  if (!signature_lines || signature_lines->empty()) return std::unexpected(malformed("it carries no signature"));
  parsed.checkpoint.origin = std::string((*body)[0]);
  if (parsed.checkpoint.origin.empty()) return std::unexpected(malformed("the origin is empty"));
  const auto size = decimal((*body)[1]);
  if (!size) return std::unexpected(malformed("the tree size is not a decimal number"));
  parsed.checkpoint.size = *size;
  const auto root = decode_base64((*body)[2]);
  if (!root || root->size() != parsed.checkpoint.root.size()) {
    return std::unexpected(malformed("the root hash is not 32 bytes in base64"));
  }
  std::memcpy(parsed.checkpoint.root.data(), root->data(), root->size());
  for (auto line : *signature_lines) {
    auto signature = parse_signature_line(line);
    if (!signature) return std::unexpected(signature.error());
    parsed.signatures.push_back(std::move(*signature));
  }
  return parsed;
}

KeyId note_key_id(std::string_view name, const PublicKey& key) {
  std::string input(name);
  input += '\n';
  input += static_cast<char>(kEd25519Type);
  input.append(reinterpret_cast<const char*>(key.data()), key.size());
  std::array<std::uint8_t, SHA256_DIGEST_LENGTH> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(input.data()), input.size(), digest.data());
  KeyId id{};
  std::memcpy(id.data(), digest.data(), id.size());
  return id;
}

std::string verifier_key_text(std::string_view name, const PublicKey& key) {
  std::string typed(1, static_cast<char>(kEd25519Type));
  typed.append(reinterpret_cast<const char*>(key.data()), key.size());
  return std::string(name) + "+" + hex_of(note_key_id(name, key)) + "+" + base64(typed);
}

std::expected<VerifierKey, Error> parse_verifier_key(std::string_view text) {
  auto bad = [](const std::string& what) { return Error{ErrorCode::invalid_argument, "not a verifier key: " + what}; };
  // A name never holds '+' (valid_key_name), and base64 may: split at the first two.
  const auto middle = text.find('+');
  const auto last = middle == std::string_view::npos ? middle : text.find('+', middle + 1);
  if (last == std::string_view::npos || !valid_key_name(text.substr(0, middle))) {
    return std::unexpected(bad("it is not <name>+<key id>+<key>"));
  }
  VerifierKey verifier;
  verifier.name = std::string(text.substr(0, middle));
  const auto typed = decode_base64(text.substr(last + 1));
  if (!typed || typed->size() != 1 + verifier.key.size() || static_cast<std::uint8_t>((*typed)[0]) != kEd25519Type) {
    return std::unexpected(bad("the key is not an Ed25519 public key"));
  }
  std::memcpy(verifier.key.data(), typed->data() + 1, verifier.key.size());
  verifier.key_id = note_key_id(verifier.name, verifier.key);
  if (text.substr(middle + 1, last - middle - 1) != hex_of(verifier.key_id)) {
    return std::unexpected(bad("its key id does not match its name and key"));
  }
  return verifier;
}

bool ed25519_verifies(const PublicKey& key, std::string_view message, std::string_view signature) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> pkey(
      EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, nullptr, key.data(), key.size()), EVP_PKEY_free);
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  if (!pkey || !context || EVP_DigestVerifyInit(context.get(), nullptr, nullptr, nullptr, pkey.get()) != 1) return false;
  return EVP_DigestVerify(context.get(), reinterpret_cast<const unsigned char*>(signature.data()), signature.size(),
                          reinterpret_cast<const unsigned char*>(message.data()), message.size()) == 1;
}

std::expected<void, Error> verify_checkpoint(const SignedCheckpoint& note, const VerifierKey& verifier) {
  for (const auto& signature : note.signatures) {
    if (signature.name != verifier.name || signature.key_id != verifier.key_id) continue;
    if (ed25519_verifies(verifier.key, note.body, signature.signature)) return {};
    return std::unexpected(Error{ErrorCode::invalid_argument, "the signature of " + verifier.name + " does not verify"});
  }
  return std::unexpected(Error{ErrorCode::invalid_argument, "the checkpoint carries no signature by the key " + verifier.name});
}

}  // namespace orgledger::ledger
