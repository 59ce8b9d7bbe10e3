// A small, independent HTTP/1.1 client for the server tests: POSIX sockets and a hand-written
// response reader (not Beast, so a shared parser bug cannot hide on both sides).
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace orgledger::testing {

struct HttpReply {
  int status = 0;                              // 0: no answer (the connection closed first)
  std::map<std::string, std::string> headers;  // names in lower case
  std::string body;
  nlohmann::json json() const { return nlohmann::json::parse(body); }
  std::string header(const std::string& lower_case_name) const {
    auto it = headers.find(lower_case_name);
    return it == headers.end() ? std::string() : it->second;
  }
};

// A TCP connection to 127.0.0.1:port with Nagle off: its descriptor, or -1.
int connect_loopback(std::uint16_t port);

// One keep-alive connection to 127.0.0.1:port, reopened when the server closed it.
class HttpClient {
 public:
  explicit HttpClient(std::uint16_t port, std::string token = "") : port_(port), token_(std::move(token)) {}
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpReply get(const std::string& target);
  HttpReply post(const std::string& target, const std::string& body);
  HttpReply request(const std::string& method, const std::string& target, const std::string& body,
                    const std::vector<std::string>& extra_headers = {});
  void set_token(std::string token) { token_ = std::move(token); }

 private:
  bool connect();
  void disconnect();
  std::uint16_t port_;
  std::string token_;
  int fd_ = -1;
};

// The value of a series of GET /metrics (labels included in `series`, as in `name{a="b"}`), or -1
// when the answer has no such series.
double metric(std::uint16_t port, const std::string& token, const std::string& series);

// Connects, sends `bytes` as they are (nothing added), and reads whatever comes back until the
// server closes or `timeout` passes. For malformed requests and slow clients.
std::string raw_exchange(std::uint16_t port, const std::string& bytes,
                         std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));
// The status code of a raw answer ("HTTP/1.1 400 …"), 0 when there is none.
int raw_status(const std::string& answer);
// The body of a raw answer (after the blank line).
std::string raw_body(const std::string& answer);

// A Server-Sent Events reader on a connection of its own.
struct SseEvent {
  std::string id, event, data;
};
class SseReader {
 public:
  SseReader(std::uint16_t port, const std::string& target, const std::string& token,
            const std::string& last_event_id = "");
  ~SseReader();
  int status() const { return status_; }
  // The next event (comments are skipped), or nullopt when none came within `timeout` or the
  // stream ended.
  std::optional<SseEvent> next(std::chrono::milliseconds timeout);
  // Whether the server has closed the stream (nothing more to read, the connection ended).
  bool closed_by_server() const;
  // Whether a comment line (": keep-alive") was seen so far.
  bool saw_comment() const { return saw_comment_; }

 private:
  std::optional<std::string> line(std::chrono::steady_clock::time_point deadline);
  int fd_ = -1;
  int status_ = 0;
  std::string buffer_;
  bool saw_comment_ = false;
};

}  // namespace orgledger::testing
