#include "progress.h"

#include <unistd.h>

#include <cstdio>

namespace orgledger::tools {

Progress::Progress(std::string label, std::uint64_t total)
    : label_(std::move(label)), total_(total), shown_(isatty(STDERR_FILENO) == 1) {}

Progress::~Progress() {
  if (drew_) std::fputc('\n', stderr);
}

void Progress::update(std::uint64_t done) {
  if (!shown_ || total_ == 0) return;
  const auto now = std::chrono::steady_clock::now();
  if (drew_ && now - drawn_ < std::chrono::milliseconds(100) && done < total_) return;
  drawn_ = now;
  drew_ = true;
  const double seconds = std::chrono::duration<double>(now - started_).count();
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  const double left = rate > 0 ? static_cast<double>(total_ - std::min(done, total_)) / rate : 0;
  constexpr int kWidth = 30;
  const int filled = static_cast<int>(kWidth * static_cast<double>(done) / static_cast<double>(total_));
  std::fprintf(stderr, "\r%s [%.*s%*s] %5.1f%%  %.0f events/s  ETA %.0fs ", label_.c_str(), filled,
               "##############################", kWidth - filled, "",
               100.0 * static_cast<double>(done) / static_cast<double>(total_), rate, left);
  std::fflush(stderr);
}

}  // namespace orgledger::tools
