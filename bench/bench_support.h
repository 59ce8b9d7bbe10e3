// What every bench workload shares: scratch directories, timing, statistics, resident memory, the
// events ledger_bench writes, and turning ledger errors into a fatal benchmark failure.
#pragma once

#include <chrono>
#include <cstdio>
#include <exception>
#include <cstddef>
#include <cstdint>
#include <expected>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "orgledger/ledger/types.h"

namespace orgledger::bench {

// A benchmark cannot go on after an unexpected ledger error: its figures would be meaningless.
class BenchFailure : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

[[noreturn]] inline void fail(const std::string& what, const ledger::Error& error) {
  throw BenchFailure(what + ": " + ledger::to_string(error.code) + ": " + error.message);
}

template <typename T>
T value_or_fail(std::expected<T, ledger::Error> result, const std::string& what) {
  if (!result) fail(what, result.error());
  return std::move(*result);
}

// A fresh, empty directory under `parent` (named `prefix`.XXXXXX), removed with everything in it
// on destruction, so that every measurement starts from an empty store and leaves nothing behind.
class TempDir {
 public:
  explicit TempDir(const std::string& parent, const std::string& prefix = "ledger_bench");
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Wall time since construction, on the monotonic clock (measurement only, never recorded).
class Stopwatch {
 public:
  double seconds() const { return std::chrono::duration<double>(Clock::now() - start_).count(); }
  double micros() const { return std::chrono::duration<double, std::micro>(Clock::now() - start_).count(); }

 private:
  using Clock = std::chrono::steady_clock;
  Clock::time_point start_ = Clock::now();
};

// The value at quantile q (0..1) by nearest rank; 0 for no samples.
double quantile(std::vector<double> samples, double q);
inline double median(std::vector<double> samples) { return quantile(std::move(samples), 0.5); }

// This process's resident set (VmRSS of /proc/self/status) in MiB: the heap, and RocksDB's block
// caches and memtables too, but not the OS page cache.
double resident_mib();
// The largest resident set so far (VmHWM), in MiB.
double peak_resident_mib();

// Bytes of the files under `directory` (the store's size on disk).
std::uintmax_t directory_bytes(const std::string& directory);
// As directory_bytes, without RocksDB's informational text logs (LOG, LOG.old.*): what the store
// itself takes — its data, write-ahead log, manifest and options.
std::uintmax_t store_bytes(const std::string& directory);

// A command of `count` MemberAdded events on `stream`; each envelope encodes to about 270 bytes,
// a typical membership event, so that hashing and I/O per event match production.
ledger::CommandAppend member_added_command(const std::string& command_id, const std::string& stream, std::size_t count);

// The per-thread stream of submitter `thread`: many streams, as in production, so that no
// workload measures a single hot stream.
std::string thread_stream(int thread);

// The command id of the `sequence`th command of submitter `thread`: unique within one store.
std::string command_id(int thread, std::size_t sequence);

// The body of a benchmark's main(): bad options exit 2 with their message, a failed run exits 1
// naming the benchmark, otherwise `run`'s exit code.
template <typename Options, typename Run>
int bench_main(const char* name, const std::expected<Options, std::string>& options, Run run) {
  if (!options) {
    std::fputs(options.error().c_str(), stderr);
    return 2;
  }
  try {
    return run(*options);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "%s: %s\n", name, failure.what());
    return 1;
  }
}

}  // namespace orgledger::bench
