// orgledger: one binary, one subcommand per file (API.md, command line).
#include <cstdio>
#include <exception>
#include <string>
#include <string_view>
#include <vector>

#include "cli_args.h"
#include "subcommand_table.h"
#include "subcommands.h"

using namespace orgledger::tools;

int main(int argc, char** argv) {
  if (argc < 2) {
    print_usage(stderr);
    return kExitUsageOrIo;
  }
  const std::string_view name = argv[1];
  if (name == "--help" || name == "-h" || name == "help") {
    print_usage(stdout);
    return kExitOk;
  }
  if (name == "--version") {
    std::printf("orgledger %s\n", ORGLEDGER_VERSION);
    return kExitOk;
  }
  const Args args(argv + 2, argv + argc);
  for (const auto& sub : subcommands()) {
    if (sub.name != name) continue;
    for (const auto& arg : args) {
      if (arg == "--help" || arg == "-h") {
        std::printf("usage: orgledger %.*s\n", static_cast<int>(sub.summary.size()), sub.summary.data());
        return kExitOk;
      }
    }
    try {
      return sub.run(args);
    } catch (const UsageError& error) {
      std::fprintf(stderr, "orgledger %s: %s\nusage: orgledger %.*s\n", argv[1], error.what(),
                   static_cast<int>(sub.summary.size()), sub.summary.data());
      return kExitUsageOrIo;
    } catch (const std::exception& error) {
      std::fprintf(stderr, "orgledger %s: %s\n", argv[1], error.what());
      return kExitUsageOrIo;
    }
  }
  std::fprintf(stderr, "orgledger: unknown subcommand '%s'\n\n", argv[1]);
  print_usage(stderr);
  return kExitUsageOrIo;
}
