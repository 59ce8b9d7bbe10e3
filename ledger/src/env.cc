// The system's Env: the only place besides RocksDB's own file system where orgledger touches the
// operating system's files directly (chmod), and where randomness comes from OpenSSL.
#include "orgledger/ledger/env.h"

#include <openssl/rand.h>
#include <rocksdb/file_system.h>
#include <sys/stat.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace orgledger::ledger {
namespace {

class SystemRandom final : public Random {
 public:
  bool fill(std::span<std::uint8_t> out) override {
    if (out.size() > static_cast<std::size_t>(INT_MAX)) return false;
    return RAND_bytes(out.data(), static_cast<int>(out.size())) == 1;
  }
};

class SystemEnv final : public Env {
 public:
  std::shared_ptr<rocksdb::FileSystem> file_system() override { return rocksdb::FileSystem::Default(); }
  std::expected<void, Error> make_owner_only(const std::string& path) override {
    if (::chmod(path.c_str(), 0600) != 0) {
      return std::unexpected(Error{ErrorCode::io_error, "cannot restrict " + path + " to its owner: " + std::strerror(errno)});
    }
    return {};
  }
  const Clock& clock() override { return system_clock(); }
  Random& random() override { return random_; }

 private:
  SystemRandom random_;
};

}  // namespace

Env& Env::system() {
  static SystemEnv env;
  return env;
}

std::shared_ptr<rocksdb::FileSystem> EnvWith::file_system() {
  return parts_.file_system != nullptr ? parts_.file_system : base_.file_system();
}

}  // namespace orgledger::ledger
