// The one seam between orgledger and the operating system, as LevelDB's Env (issue 17): every
// file — RocksDB's and ours (the master key, the checkpoint key and its latest checkpoint, the
// admin socket's path) — the clock, and randomness. Env::system() is the real one; a test passes
// its own (EnvWith, or tests/support/fault_env.h) to fail or slow any operation.
#pragma once

#include <expected>
#include <memory>
#include <span>
#include <string>

#include "orgledger/ledger/clock.h"
#include "orgledger/ledger/types.h"

namespace rocksdb {
class FileSystem;
}

namespace orgledger::ledger {

// Cryptographically strong random bytes: log ids, keys, nonces, token secrets.
class Random {
 public:
  virtual ~Random() = default;
  // Fills `out`; false when no strong randomness could be had. Thread-safe.
  [[nodiscard]] virtual bool fill(std::span<std::uint8_t> out) = 0;
};

class Env {
 public:
  virtual ~Env() = default;
  // RocksDB's default file system, the system clock, OpenSSL's RAND_bytes. A process-wide constant.
  static Env& system();

  // Every file operation but the one below: RocksDB's directly, ours through small_files.h.
  virtual std::shared_ptr<rocksdb::FileSystem> file_system() = 0;
  // chmod 0600, for files that hold secrets, before any secret is written. Errors: io_error.
  virtual std::expected<void, Error> make_owner_only(const std::string& path) = 0;
  virtual const Clock& clock() = 0;
  virtual Random& random() = 0;
};

// The system's Env but for the parts given (each must outlive it).
class EnvWith final : public Env {
 public:
  struct Parts {
    std::shared_ptr<rocksdb::FileSystem> file_system;
    const Clock* clock = nullptr;
    Random* random = nullptr;
  };
  explicit EnvWith(Parts parts, Env& base = Env::system()) : parts_(std::move(parts)), base_(base) {}

  std::shared_ptr<rocksdb::FileSystem> file_system() override;
  std::expected<void, Error> make_owner_only(const std::string& path) override { return base_.make_owner_only(path); }
  const Clock& clock() override { return parts_.clock != nullptr ? *parts_.clock : base_.clock(); }
  Random& random() override { return parts_.random != nullptr ? *parts_.random : base_.random(); }

 private:
  Parts parts_;
  Env& base_;
};

}  // namespace orgledger::ledger
