// G3 on the command line: the vault of the local data directory, opened read-only (beside a
// running server), and what the user asked to see: redacted unless --reveal-personal-data (all)
// or --reveal-reporter (reporters' contact details only).
#pragma once

#include <memory>

#include "cli_args.h"
#include "orgledger/api/personal_view.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/vault/vault.h"

namespace orgledger::tools {

// The data directory's vault (--master-key-file, else <data>/master.key). When it cannot be
// opened: with a reveal flag, an I/O error is printed and nullopt returned (the caller exits 2);
// without, a note is printed and a null vault returned (everything then shows "redacted").
std::optional<std::unique_ptr<vault::Vault>> open_local_vault(const CliArgs& args, const char* subcommand);

// The view of --reveal-personal-data / --reveal-reporter at now. With `ledger`, a subject also reads
// as forgotten when the log says so (api::PersonalView::forgotten_on_record: the vault of a data
// directory may not have finished a destruction on record, and a read-only one does not see what
// came after it was opened); `ledger` must outlive the view.
api::PersonalView personal_view_of(const CliArgs& args, const vault::Vault* vault,
                                   const ledger::Ledger* ledger = nullptr);

}  // namespace orgledger::tools
