#include "checkpoint_check.h"

#include "cli_args.h"
#include "orgledger/ledger/checkpoint_key.h"
#include "orgledger/ledger/hash.h"

namespace orgledger::tools {
namespace {

constexpr std::string_view kEmptyTreeRoot = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";  // SHA-256("")

// "ok", "bad" or "unchecked" (no key to check with), and why when not ok.
std::pair<std::string, std::string> signature_verdict(const ledger::SignedCheckpoint& note,
                                                      const std::optional<std::string>& public_key,
                                                      const std::string& data_directory) {
  std::optional<ledger::VerifierKey> verifier;
  if (public_key) {
    auto parsed = ledger::parse_verifier_key(*public_key);
    if (!parsed) throw UsageError("--public-key: " + parsed.error().message);
    verifier = *parsed;
  } else {
    auto own = ledger::CheckpointKey::load(ledger::Env::system(), ledger::default_checkpoint_key_path(data_directory), false);
    if (!own && own.error().code != ledger::ErrorCode::not_found) throw UsageError(own.error().message);
    if (!own) return {"unchecked", "no --public-key and no checkpoint key in the data directory"};
    const auto& origin = note.checkpoint.origin;
    verifier = ledger::VerifierKey{origin, ledger::note_key_id(origin, own->public_key()), own->public_key()};
  }
  auto verified = ledger::verify_checkpoint(note, *verifier);
  if (!verified) return {"bad", verified.error().message};
  return {"ok", ""};
}

}  // namespace

ledger::SignedCheckpoint parse_checkpoint_file(const std::string& path, const std::string& note_text) {
  auto note = ledger::parse_checkpoint(note_text);
  if (!note) throw UsageError(path + ": " + note.error().message);
  return *note;
}

CheckpointCheck check_checkpoint(const ledger::SignedCheckpoint& note, const ledger::VerifyReport& report,
                                 const std::optional<std::string>& public_key, const std::string& data_directory) {
  const auto size = note.checkpoint.size;
  CheckpointCheck check;
  check.json["size"] = size;
  check.json["root_hash"] = ledger::to_hex(note.checkpoint.root);
  const auto [signature, why] = signature_verdict(note, public_key, data_directory);
  check.json["signature"] = signature;
  std::string problem;
  std::optional<std::uint64_t> first_differing_leaf;
  if (signature == "bad") {
    problem = "its signature does not verify: " + why;
  } else if (size == 0) {
    // RFC 6962: the root of the empty tree is the hash of nothing, and every log contains it.
    if (ledger::to_hex(note.checkpoint.root) != kEmptyTreeRoot) problem = "its root is not the empty tree's";
  } else if (size > report.head.position) {
    problem = "the log holds " + std::to_string(report.head.position) + " events, the checkpoint " + std::to_string(size) +
              ": it was cut back, or restored from an older copy";
  } else if (!report.root_at) {
    // The chain broke before the checkpoint's size: the first bad event is the first differing leaf.
    problem = "the log is damaged before the checkpoint's size";
    if (report.first_bad_position) first_differing_leaf = *report.first_bad_position - 1;
  } else if (*report.root_at != note.checkpoint.root) {
    problem = "the log's tree of size " + std::to_string(size) + " has root " + ledger::to_hex(*report.root_at) +
              ", not the checkpoint's: the log was rewritten or forked";
    if (report.first_bad_leaf && *report.first_bad_leaf < size) first_differing_leaf = report.first_bad_leaf;
  }
  check.contained = problem.empty();
  check.json["contained"] = check.contained;
  if (!check.contained) check.json["problem"] = problem;
  if (first_differing_leaf) check.json["first_differing_leaf"] = *first_differing_leaf;
  const std::string who = note.checkpoint.origin + " at size " + std::to_string(size);
  if (check.contained) {
    check.text = "checkpoint ok: the log contains the tree of " + who +
                 (signature == "ok" ? ", signature verified" : " (signature unchecked: " + why + ")");
  } else {
    check.text = "checkpoint NOT contained: " + who + ": " + problem +
                 (first_differing_leaf ? " (first differing leaf " + std::to_string(*first_differing_leaf) + ", position " +
                                             std::to_string(*first_differing_leaf + 1) + ")"
                                       : "");
  }
  return check;
}

}  // namespace orgledger::tools
