// `orgledger keys rotate-master [--master-key-file OLD] [--new-master-key-file NEW]` (G1): re-wraps
// every data key of the data directory's vault under a new master key; no event changes. Local:
// the server must not be running (the vault's lock says so).
#include <cstdio>

#include "cli_args.h"
#include "data_dir.h"
#include "orgledger/vault/vault.h"
#include "subcommands.h"

namespace orgledger::tools {

int keys_command(const Args& raw) {
  const CliArgs args(raw, {{"data", "master-key-file", "new-master-key-file"}, {}});
  if (args.positional().size() != 1 || args.positional().front() != "rotate-master") {
    throw UsageError("keys takes one action: rotate-master");
  }
  vault::Options options{.directory = data_directory(args) + "/vault"};
  if (auto file = args.value("master-key-file")) options.master_key_file = *file;
  auto rotated = vault::rotate_master(options, args.value("new-master-key-file"));
  if (!rotated) {
    std::fprintf(stderr, "orgledger keys: %s\n", rotated.error().message.c_str());
    return kExitUsageOrIo;
  }
  std::printf("re-wrapped %zu data keys under master key %s (%s)\n", rotated->rewrapped, rotated->new_master_id.c_str(),
              rotated->new_master_file.c_str());
  return kExitOk;
}

}  // namespace orgledger::tools
