// A progress line for long work (replay, export): done/total, rate and time left, redrawn at most
// ten times a second on stderr — only when stderr is a terminal, so scripts and logs stay clean.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace orgledger::tools {

class Progress {
 public:
  Progress(std::string label, std::uint64_t total);
  ~Progress();  // ends the line
  void update(std::uint64_t done);

 private:
  std::string label_;
  std::uint64_t total_;
  bool shown_;
  std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  std::chrono::steady_clock::time_point drawn_{};
  bool drew_ = false;
};

}  // namespace orgledger::tools
