// G1: personal data is sealed before the rules see it. The processor calls this on every command
// after validation and before decide: the login of RegisterUser (subject user:<id>), the contact
// details of FileAbuseReport (abuse:<report>) and the documents of SubmitIdentityDocuments
// (kcheck:<case>) are sealed under a fresh data key of the vault, and their clear text dropped.
#pragma once

#include <expected>
#include <string>
#include <vector>

#include "orgledger/commands/command.h"

namespace orgledger::vault {
class Vault;
struct Error;
}  // namespace orgledger::vault

namespace orgledger::commands {

// Seals the personal fields of `command` in place; a command without any is left as it is. A field
// already sealed is kept. Errors: the vault's (no key could be had, or randomness failed): the
// command must then not be decided.
[[nodiscard]] std::expected<void, vault::Error> seal_personal_data(Command& command, vault::Vault& vault);

// The ids of the data keys that seal the personal data of `body` (empty before sealing).
std::vector<std::string> sealed_key_ids(const Body& body);

// The subject whose key seals the personal data `body` carries, empty when it carries none.
std::string personal_subject(const Body& body);

}  // namespace orgledger::commands
