// `verify --checkpoint FILE`: does the log still contain the tree a checkpoint saved earlier
// signed? The signature is checked with --public-key (a verifier key) or else the data
// directory's own checkpoint key; the root with the one verify computed from the events.
#pragma once

#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "orgledger/ledger/signed_note.h"
#include "orgledger/ledger/verify.h"

namespace orgledger::tools {

struct CheckpointCheck {
  bool contained = false;  // the log holds the checkpoint's tree, and the signature verified
  nlohmann::json json;     // {"size", "root_hash", "signature": "ok"|"bad"|"unchecked", "contained", "problem"?, "first_differing_leaf"?}
  std::string text;        // one line for people
};

// The checkpoint note in `note_text`, parsed; a usage error (thrown) when it is not one.
ledger::SignedCheckpoint parse_checkpoint_file(const std::string& path, const std::string& note_text);

// Judges `note` against the verified log (`report` made with root_at = the note's size).
CheckpointCheck check_checkpoint(const ledger::SignedCheckpoint& note, const ledger::VerifyReport& report,
                                 const std::optional<std::string>& public_key, const std::string& data_directory);

}  // namespace orgledger::tools
