#include "personal_access.h"

#include <cstdio>

#include "data_dir.h"
#include "orgledger/ledger/clock.h"

namespace orgledger::tools {

std::optional<std::unique_ptr<vault::Vault>> open_local_vault(const CliArgs& args, const char* subcommand) {
  vault::Options options{.directory = data_directory(args) + "/vault", .mode = vault::Mode::read_only};
  if (auto file = args.value("master-key-file")) options.master_key_file = *file;
  auto opened = vault::Vault::open(options);
  if (opened) return std::move(*opened);
  const bool revealing = args.flag("reveal-personal-data") || args.flag("reveal-reporter");
  std::fprintf(stderr, "orgledger %s: the vault could not be opened: %s%s\n", subcommand, opened.error().message.c_str(),
               revealing ? "" : " (personal data shows as redacted)");
  if (revealing) return std::nullopt;
  return std::unique_ptr<vault::Vault>();
}

api::PersonalView personal_view_of(const CliArgs& args, const vault::Vault* vault) {
  const bool all = args.flag("reveal-personal-data");
  return api::PersonalView{all, all || args.flag("reveal-reporter"), vault, ledger::system_clock().now()};
}

}  // namespace orgledger::tools
