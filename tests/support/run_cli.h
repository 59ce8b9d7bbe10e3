// Runs the real `orgledger` binary (ORGLEDGER_CLI) with `arguments` through the shell, stderr
// discarded; returns its stdout and sets `exit_code` (-1 when it did not exit normally).
#pragma once

#include <sys/wait.h>

#include <cstdio>
#include <stdexcept>
#include <string>

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

}  // namespace orgledger::testing
