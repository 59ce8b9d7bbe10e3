// Runs the real `orgledger` binary (ORGLEDGER_CLI) with `arguments` through the shell, stderr
// discarded; returns its stdout and sets `exit_code` (-1 when it did not exit normally).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace orgledger::testing {

inline std::string run_orgledger(const std::string& cli, const std::string& arguments, int* exit_code = nullptr) {
  FILE* pipe = popen((cli + " " + arguments + " 2>/dev/null").c_str(), "r");
  if (pipe == nullptr) throw std::runtime_error("popen failed");
  std::string out;
  char buffer[4096];
  while (std::size_t got = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, got);
  const int status = pclose(pipe);
  if (exit_code) *exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

// Each line of `out` parsed as JSON (the CLI's --json listings print one object per line).
inline std::vector<nlohmann::json> json_lines(const std::string& out) {
  std::vector<nlohmann::json> lines;
  std::istringstream in(out);
  for (std::string line; std::getline(in, line);) lines.push_back(nlohmann::json::parse(line));
  return lines;
}

#ifdef ORGLEDGER_CLI
// The test target's own build of `orgledger` (the ORGLEDGER_CLI compile definition).
inline std::string run(const std::string& arguments, int* exit_code = nullptr) {
  return run_orgledger(ORGLEDGER_CLI, arguments, exit_code);
}

// Its exit code and stdout.
struct CliRun {
  int exit_code = -1;
  std::string out;
};
inline CliRun invoke(const std::string& arguments) {
  CliRun result;
  result.out = run_orgledger(ORGLEDGER_CLI, arguments, &result.exit_code);
  return result;
}
#endif

}  // namespace orgledger::testing
