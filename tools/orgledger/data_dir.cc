#include "data_dir.h"

#include <cstdlib>

namespace orgledger::tools {

std::string data_directory(const CliArgs& args) {
  if (auto dir = args.value("data")) return *dir;
  if (const char* env = std::getenv("ORGLEDGER_DATA"); env != nullptr && *env != '\0') return env;
  return "./orgledger-data";
}

}  // namespace orgledger::tools
