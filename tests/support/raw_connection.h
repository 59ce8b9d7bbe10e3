// One plain TCP connection to the test server for attack-shaped tests: opened from a chosen
// loopback address (127.0.0.2 for an attacker, so that a per-address cap applies to it and not to
// the real client on 127.0.0.1), bytes sent as they are, answers read raw.
#pragma once

#include <chrono>
#include <cstdint>
#include <string>

namespace orgledger::testing {

class RawConnection {
 public:
  // Connects from `local_address` (any port) to 127.0.0.1:port; connected() tells whether it did.
  explicit RawConnection(std::uint16_t port, const std::string& local_address = "127.0.0.1");
  ~RawConnection();
  RawConnection(RawConnection&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  RawConnection& operator=(RawConnection&& other) noexcept {
    if (this != &other) {
      close();
      fd_ = other.fd_;
      other.fd_ = -1;
    }
    return *this;
  }

  bool connected() const { return fd_ >= 0; }
  // False when the connection is gone.
  bool send(const std::string& bytes);
  // Everything the server sends until it closes or `timeout` passes.
  std::string read_until_close(std::chrono::milliseconds timeout);
  // Whether the server closed the connection (or reset it) within `timeout`; bytes are dropped.
  bool closed_by_server(std::chrono::milliseconds timeout);
  // Closes now; with `reset`, by an RST (SO_LINGER 0), as a client that vanishes.
  void close(bool reset = false);

 private:
  int fd_ = -1;
};

// "GET target HTTP/1.1" with the bearer token and Connection: close.
std::string get_request(const std::string& target, const std::string& token);

}  // namespace orgledger::testing
