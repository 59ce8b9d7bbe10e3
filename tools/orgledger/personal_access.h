// G3 on the command line: the vault of the local data directory, opened read-only (beside a
// running server), and what the user asked to see: redacted unless --reveal-personal-data (all)
// or --reveal-reporter (reporters' contact details only).
#pragma once

#include <memory>

#include "cli_args.h"
#include "orgledger/api/personal_view.h"
#include "orgledger/vault/vault.h"

namespace orgledger::tools {

// The data directory's vault (--master-key-file, else <data>/master.key). When it cannot be
// opened: with a reveal flag, an I/O error is printed and nullopt returned (the caller exits 2);
// without, a note is printed and a null vault returned (everything then shows "redacted").
std::optional<std::unique_ptr<vault::Vault>> open_local_vault(const CliArgs& args, const char* subcommand);

// The view of --reveal-personal-data / --reveal-reporter at now.
api::PersonalView personal_view_of(const CliArgs& args, const vault::Vault* vault);

}  // namespace orgledger::tools
