#include "master_key.h"

#include <fcntl.h>
#include <openssl/evp.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include "errors.h"
#include "hex.h"
#include "random.h"

namespace orgledger::vault {
namespace {

// A master key file is 32 or about 65 bytes; anything far larger is not one (and is not read).
constexpr off_t kLargestKeyFile = 4096;

std::unexpected<Error> os_error(const std::string& what, const std::string& path, int error) {
  return fail(ErrorCode::io_error, what + " " + path + ": " + std::strerror(error));
}

std::string directory_of(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

class Descriptor {
 public:
  explicit Descriptor(int fd) : fd_(fd) {}
  ~Descriptor() {
    if (fd_ >= 0) ::close(fd_);
  }
  Descriptor(const Descriptor&) = delete;
  Descriptor& operator=(const Descriptor&) = delete;
  int get() const { return fd_; }
  // close(2) reports write-back errors on some file systems: check it when the file was written.
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

std::expected<void, Error> sync_directory(const std::string& directory) {
  Descriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return os_error("cannot open directory", directory, errno);
  if (::fsync(fd.get()) != 0) return os_error("cannot fsync directory", directory, errno);
  return {};
}

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

}  // namespace

std::string master_key_id(std::span<const std::uint8_t, kKeyBytes> key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // SHA-256 cannot fail on a 32-byte input short of memory exhaustion; a zero id would then
  // mismatch every store and show as bad_master_key, never as a wrong unwrap.
  if (EVP_Digest(key.data(), key.size(), digest, &length, EVP_sha256(), nullptr) != 1) return std::string(kMasterIdBytes, '\0');
  return std::string(reinterpret_cast<const char*>(digest), kMasterIdBytes);
}

std::expected<MasterKey, Error> parse_master_key(std::string_view contents, const std::string& path) {
  MasterKey master;
  if (contents.size() == kKeyBytes) {
    std::memcpy(master.key.bytes.data(), contents.data(), kKeyBytes);
  } else {
    std::string_view text = contents;
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    auto decoded = text.size() == 2 * kKeyBytes ? from_hex(text) : std::nullopt;
    if (!decoded) {
      return fail(ErrorCode::invalid_argument, "master key file " + path +
                                                   ": expected 32 raw bytes or 64 hex digits, found " +
                                                   std::to_string(contents.size()) + " bytes of something else");
    }
    std::memcpy(master.key.bytes.data(), decoded->data(), kKeyBytes);
    wipe(*decoded);
  }
  master.id = master_key_id(master.key.view());
  return master;
}

std::expected<MasterKey, Error> read_master_key_file(const std::string& path) {
  Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) return os_error("cannot open master key file", path, errno);
  struct stat status {};
  if (::fstat(fd.get(), &status) != 0) return os_error("cannot stat master key file", path, errno);
  if (!S_ISREG(status.st_mode) || status.st_size > kLargestKeyFile) {
    return fail(ErrorCode::invalid_argument, "master key file " + path + ": not a key file (expected 32 raw bytes or 64 hex digits)");
  }
  std::string contents(static_cast<std::size_t>(status.st_size), '\0');
  std::size_t done = 0;
  while (done < contents.size()) {
    const ssize_t got = ::read(fd.get(), contents.data() + done, contents.size() - done);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) {
      wipe(contents);
      return os_error("cannot read master key file", path, errno);
    }
    if (got == 0) break;
    done += static_cast<std::size_t>(got);
  }
  contents.resize(done);
  auto master = parse_master_key(contents, path);
  wipe(contents);
  return master;
}

std::expected<bool, Error> file_exists(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) == 0) return true;
  if (errno == ENOENT) return false;
  return os_error("cannot stat", path, errno);
}

std::expected<MasterKey, Error> generate_master_key(Random& random) {
  MasterKey master;
  auto drawn = draw(random, master.key.bytes, "a master key");
  if (!drawn) return std::unexpected(drawn.error());
  master.id = master_key_id(master.key.view());
  return master;
}

std::expected<void, Error> write_master_key_file(const std::string& path, const MasterKey& key) {
  // O_EXCL: never overwrite a master key (it may be the only one that unwraps a store). 0600: G1.
  Descriptor fd(::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (fd.get() < 0) return os_error("cannot create master key file", path, errno);
  std::string text = to_hex({reinterpret_cast<const char*>(key.key.bytes.data()), kKeyBytes}) + "\n";
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t wrote = ::write(fd.get(), text.data() + done, text.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) {
      const int error = wrote < 0 ? errno : ENOSPC;
      wipe(text);
      return os_error("cannot write master key file", path, error);
    }
    done += static_cast<std::size_t>(wrote);
  }
  wipe(text);
  if (::fsync(fd.get()) != 0) return os_error("cannot fsync master key file", path, errno);
  if (fd.close() != 0) return os_error("cannot close master key file", path, errno);
  return sync_directory(directory_of(path));
}

std::expected<void, Error> remove_file(const std::string& path) {
  if (::unlink(path.c_str()) != 0) {
    if (errno == ENOENT) return {};
    return os_error("cannot remove", path, errno);
  }
  return sync_directory(directory_of(path));
}

std::expected<void, Error> rename_durably(const std::string& from, const std::string& to) {
  if (::rename(from.c_str(), to.c_str()) != 0) return os_error("cannot rename " + from + " to", to, errno);
  return sync_directory(directory_of(to));
}

std::string default_master_key_path(const std::string& vault_directory) {
  auto directory = std::filesystem::path(vault_directory).lexically_normal();
  // "<data>/vault/" normalizes to "<data>/vault/" (an empty filename): its parent is the vault itself.
  if (directory.filename().empty()) directory = directory.parent_path();
  const auto parent = directory.parent_path();
  return ((parent.empty() ? std::filesystem::path(".") : parent) / "master.key").string();
}

}  // namespace orgledger::vault
