// A fresh directory for one test, removed with everything in it when the test ends.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <stdexcept>
#include <string>

namespace orgledger::testing {

class TempDir {
 public:
  TempDir() : TempDir(default_base()) {}
  // Under `base` (/dev/shm for a test whose fsyncs cost nothing but time: the fault workload
  // models durability itself).
  explicit TempDir(const std::string& base) {
    std::string pattern = base + "/orgledger-test-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  static std::string default_base() {
    const char* base = std::getenv("TMPDIR");
    return base && *base ? base : "/tmp";
  }
  std::string path_;
};

}  // namespace orgledger::testing
