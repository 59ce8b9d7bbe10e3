// An Env (ledger/env.h) whose every file operation can fail or be slow (issue 17): RocksDB's and
// ours, through one FileSystemWrapper, plus the owner-only chmod; the clock and randomness are the
// system's unless given. A plan says which operations count and which of them fail: the n-th, those
// on a path containing a string, or each with a probability from a seed; with EIO or ENOSPC, once
// or from then on (a dead disk); and how long each counted one sleeps first.
//
// It also models a crash as RocksDB's FaultInjectionTestFS does: drop_unsynced() cuts every file
// written through it back to what was synced, and deletes the files never synced. (Directory
// entries are not modelled: a rename or a creation is kept even when its directory was not synced.)
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <random>
#include <string>
#include <vector>

#include "orgledger/ledger/env.h"

namespace orgledger::testing {

class FaultEnv final : public ledger::Env {
 public:
  // Kinds of operation, as bits of Plan::ops.
  enum Op : unsigned {
    create = 1u << 0,          // a new (or truncated) writable file, a link
    write = 1u << 1,           // an append
    sync = 1u << 2,            // a file's sync or fsync
    rename = 1u << 3,          // a rename
    remove = 1u << 4,          // a delete
    sync_directory = 1u << 5,  // a directory's fsync
    owner_only = 1u << 6,      // the chmod of a secret's file
    read = 1u << 7,            // opening a file to read
  };
  static constexpr unsigned kMutations = create | write | sync | rename | remove | sync_directory | owner_only;
  enum class Error { io, no_space };

  struct Plan {
    unsigned ops = kMutations;      // the kinds that count (and may fail, or sleep)
    std::uint64_t fail_at = 0;      // the 1-based index among counted operations that fails; 0: none
    bool from_then_on = false;      // after the first failure, every counted operation fails
    std::uint64_t dead_from = 0;    // from this counted operation on, every one fails; 0: never
    std::string path_contains;      // when set, only operations on such paths count
    double probability = 0;         // each counted operation fails with this probability
    std::uint64_t seed = 0;         // for `probability`
    Error error = Error::io;
    std::chrono::microseconds delay{0};  // each counted operation sleeps this long first
  };

  FaultEnv() : FaultEnv(Plan{}) {}
  explicit FaultEnv(Plan plan, const ledger::Clock* clock = nullptr, ledger::Random* random = nullptr);
  ~FaultEnv() override;

  void set_plan(Plan plan);             // thread-safe; resets the count
  std::uint64_t counted() const;        // operations counted since the plan was set
  std::uint64_t failed() const;         // of which failed
  // Every failed operation in order, as "<kind> <path>" (a dead disk's: the first few hundred).
  std::vector<std::string> failures() const;
  // Every counted operation in order, likewise (the first few thousand): where a plan can aim.
  std::vector<std::string> operations() const;

  // The crash: see above. Call with nothing writing through this Env any more.
  void drop_unsynced();

  std::shared_ptr<rocksdb::FileSystem> file_system() override;
  std::expected<void, ledger::Error> make_owner_only(const std::string& path) override;
  const ledger::Clock& clock() override;
  ledger::Random& random() override;

  // For the wrapper (fault_env.cc): whether the operation fails (sleeping first when counted),
  // and the sizes written and synced of the files it created.
  bool fails(Op op, const std::string& path);
  bool is_no_space() const;
  void created(const std::string& path, std::uint64_t size);
  void appended(const std::string& path, std::uint64_t bytes);
  void synced(const std::string& path);
  void renamed(const std::string& from, const std::string& to);
  void linked(const std::string& from, const std::string& to);
  void removed(const std::string& path);

 private:
  struct Written {
    std::uint64_t size = 0;
    std::uint64_t synced = 0;
    bool ever_synced = false;
  };
  mutable std::mutex mutex_;
  Plan plan_;
  std::mt19937_64 random_engine_;
  std::uint64_t counted_ = 0;
  std::uint64_t failed_ = 0;
  bool dead_ = false;
  std::vector<std::string> failures_;
  std::vector<std::string> operations_;
  std::map<std::string, Written> written_;
  std::shared_ptr<rocksdb::FileSystem> file_system_;
  const ledger::Clock* clock_;
  ledger::Random* random_;
};

}  // namespace orgledger::testing
