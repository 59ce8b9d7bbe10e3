#include "orgledger/ledger/small_files.h"

#include <fcntl.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

namespace orgledger::ledger {
namespace {

Error os_error(const std::string& what, const std::string& path, int error) {
  return Error{ErrorCode::io_error, what + " " + path + ": " + std::strerror(error)};
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
  int close() {
    const int result = ::close(fd_);
    fd_ = -1;
    return result;
  }

 private:
  int fd_;
};

std::string directory_of(const std::string& path) {
  const auto parent = std::filesystem::path(path).parent_path();
  return parent.empty() ? "." : parent.string();
}

std::expected<void, Error> sync_directory(const std::string& directory) {
  Descriptor fd(::open(directory.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0 || ::fsync(fd.get()) != 0) return std::unexpected(os_error("cannot fsync the directory", directory, errno));
  return {};
}

std::expected<void, Error> write_all_and_sync(Descriptor& fd, const std::string& path, std::string_view bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t wrote = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (wrote < 0 && errno == EINTR) continue;
    if (wrote <= 0) return std::unexpected(os_error("cannot write", path, wrote < 0 ? errno : ENOSPC));
    done += static_cast<std::size_t>(wrote);
  }
  if (::fsync(fd.get()) != 0) return std::unexpected(os_error("cannot fsync", path, errno));
  if (fd.close() != 0) return std::unexpected(os_error("cannot close", path, errno));
  return {};
}

}  // namespace

std::expected<std::optional<std::string>, Error> read_small_file(const std::string& path) {
  Descriptor fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
  if (fd.get() < 0) {
    if (errno == ENOENT) return std::nullopt;
    return std::unexpected(os_error("cannot open", path, errno));
  }
  std::string bytes;
  char buffer[4096];
  for (;;) {
    const ssize_t got = ::read(fd.get(), buffer, sizeof buffer);
    if (got < 0 && errno == EINTR) continue;
    if (got < 0) return std::unexpected(os_error("cannot read", path, errno));
    if (got == 0) break;
    bytes.append(buffer, static_cast<std::size_t>(got));
    if (bytes.size() > (1u << 20)) return std::unexpected(Error{ErrorCode::io_error, path + " is larger than 1 MiB"});
  }
  return bytes;
}

std::expected<void, Error> create_small_file(const std::string& path, std::string_view bytes, unsigned mode) {
  // Written whole under a temporary name, then linked to `path` (which fails if it exists): a
  // write cut short (a full disk) leaves no partial file under `path` to block the next try.
  const std::string temporary = path + ".new";
  ::unlink(temporary.c_str());
  Descriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode));
  if (fd.get() < 0) return std::unexpected(os_error("cannot create", temporary, errno));
  auto written = write_all_and_sync(fd, temporary, bytes);
  const int linked = written ? ::link(temporary.c_str(), path.c_str()) : 0;
  const int link_error = errno;
  ::unlink(temporary.c_str());
  if (!written) return written;
  if (linked != 0) return std::unexpected(os_error("cannot create", path, link_error));
  return sync_directory(directory_of(path));
}

std::expected<void, Error> replace_small_file(const std::string& path, std::string_view bytes) {
  const std::string temporary = path + ".tmp";
  Descriptor fd(::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
  if (fd.get() < 0) return std::unexpected(os_error("cannot create", temporary, errno));
  if (auto written = write_all_and_sync(fd, temporary, bytes); !written) return written;
  if (::rename(temporary.c_str(), path.c_str()) != 0) return std::unexpected(os_error("cannot rename over", path, errno));
  return sync_directory(directory_of(path));
}

bool fill_random(const RandomFill& random, std::span<std::uint8_t> out) {
  if (random) return random(out);
  return RAND_bytes(out.data(), static_cast<int>(out.size())) == 1;
}

}  // namespace orgledger::ledger
