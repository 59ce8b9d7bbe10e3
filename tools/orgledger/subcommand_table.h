// The subcommands of `orgledger`: the table main() dispatches with, and what help, the man page and
// shell completion are generated from.
#pragma once

#include <cstdio>
#include <span>
#include <string_view>

#include "subcommands.h"

namespace orgledger::tools {

struct Subcommand {
  std::string_view name;
  int (*run)(const Args&);
  // "name [--option VALUE]...   what it does": options in brackets, a choice as a|b|c.
  std::string_view summary;
  bool remote = false;  // also runs against a server (--server, API.md)
};

// Every subcommand, in the order help lists them.
std::span<const Subcommand> subcommands();

// The top-level usage: every subcommand's summary, the shared options, the exit codes.
void print_usage(std::FILE* out);

}  // namespace orgledger::tools
