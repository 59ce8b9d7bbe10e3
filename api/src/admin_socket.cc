#include "orgledger/api/admin_socket.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "orgledger/api/token_requests.h"
#include "orgledger/ledger/small_files.h"

namespace orgledger::api {
namespace {

constexpr std::size_t kMaxLine = 64 * 1024;  // a token list

std::optional<sockaddr_un> address_of(const std::string& path) {
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  if (path.size() >= sizeof address.sun_path) return std::nullopt;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  return address;
}

void set_timeouts(int fd, int seconds) {
  timeval timeout{seconds, 0};
  ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
}

std::optional<std::string> read_line(int fd) {
  std::string line;
  char c;
  while (line.size() < kMaxLine) {
    const ssize_t got = ::recv(fd, &c, 1, 0);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) return std::nullopt;
    if (c == '\n') return line;
    line.push_back(c);
  }
  return std::nullopt;
}

void write_line(int fd, const std::string& text) {
  const std::string line = text + "\n";
  std::size_t done = 0;
  while (done < line.size()) {
    const ssize_t sent = ::send(fd, line.data() + done, line.size() - done, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return;
    done += static_cast<std::size_t>(sent);
  }
}

}  // namespace

std::string admin_socket_path(const std::string& data_directory) { return data_directory + "/admin.sock"; }

std::expected<std::unique_ptr<AdminSocket>, std::string> AdminSocket::start(const std::string& path, TokenStore& tokens,
                                                                            const ledger::Clock& clock, ledger::Env& os) {
  auto address = address_of(path);
  if (!address) return std::unexpected("the admin socket path is too long: " + path);
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::unexpected(std::string("cannot create the admin socket: ") + std::strerror(errno));
  (void)ledger::remove_small_file(os, path);  // a stale socket; bind says so if it stays
  // Created with no permission for group or others, before anyone can connect.
  const mode_t previous = ::umask(0077);
  const int bound = ::bind(fd, reinterpret_cast<const sockaddr*>(&*address), sizeof *address);
  ::umask(previous);
  if (bound != 0 || ::listen(fd, 8) != 0) {
    const std::string why = std::strerror(errno);
    ::close(fd);
    return std::unexpected("cannot listen on " + path + ": " + why);
  }
  return std::unique_ptr<AdminSocket>(new AdminSocket(path, fd, tokens, clock, os));
}

AdminSocket::AdminSocket(std::string path, int fd, TokenStore& tokens, const ledger::Clock& clock, ledger::Env& os)
    : path_(std::move(path)), fd_(fd), tokens_(tokens), clock_(clock), os_(os), thread_([this] { serve(); }) {}

AdminSocket::~AdminSocket() {
  ::shutdown(fd_, SHUT_RDWR);  // wakes accept()
  thread_.join();
  ::close(fd_);
  (void)ledger::remove_small_file(os_, path_);
}

void AdminSocket::serve() {
  for (;;) {
    const int client = ::accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      return;  // shut down
    }
    set_timeouts(client, 5);
    // D5: the operator is whoever the kernel says connected (the socket is its owner's alone).
    ucred peer{};
    socklen_t peer_size = sizeof peer;
    const bool known = ::getsockopt(client, SOL_SOCKET, SO_PEERCRED, &peer, &peer_size) == 0;
    const std::string operator_principal = known ? local_principal_of(peer.uid) : local_principal();
    // Nothing a client sends may end the server: every failure is an answer.
    std::string reply;
    try {
      reply = answer_to(read_line(client), operator_principal);
    } catch (const std::exception& error) {
      reply = nlohmann::json{{"error", std::string("cannot answer: ") + error.what()}, {"code", "unavailable"}}.dump(
          -1, ' ', false, nlohmann::json::error_handler_t::replace);
    }
    write_line(client, reply);
    ::close(client);
  }
}

std::string AdminSocket::answer_to(const std::optional<std::string>& line, const std::string& operator_principal) {
  const auto request = line ? nlohmann::json::parse(*line, nullptr, false) : nlohmann::json();
  return run_token_request(tokens_, request, operator_principal, clock_.now())
      .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

std::optional<std::expected<nlohmann::json, std::string>> ask_admin_socket(const std::string& path,
                                                                           const nlohmann::json& request) {
  using Answer = std::expected<nlohmann::json, std::string>;
  auto address = address_of(path);
  if (!address) return std::nullopt;
  const int fd = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return std::nullopt;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&*address), sizeof *address) != 0) {
    ::close(fd);
    return std::nullopt;  // no server (or a stale socket of one that crashed)
  }
  set_timeouts(fd, 10);
  write_line(fd, request.dump());
  auto line = read_line(fd);
  ::close(fd);
  if (!line) return Answer(std::unexpected(std::string("the server did not answer")));
  auto answer = nlohmann::json::parse(*line, nullptr, false);
  if (!answer.is_object()) return Answer(std::unexpected(std::string("unreadable answer from the server")));
  return Answer(std::move(answer));
}

}  // namespace orgledger::api
