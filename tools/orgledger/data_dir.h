#pragma once

#include <string>

#include "cli_args.h"

namespace orgledger::tools {

// API.md: `--data DIR`, else $ORGLEDGER_DATA, else ./orgledger-data.
std::string data_directory(const CliArgs& args);

}  // namespace orgledger::tools
