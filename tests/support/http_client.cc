#include "http_client.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace orgledger::testing {

int connect_loopback(std::uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) return -1;
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(port);
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    ::close(fd);
    return -1;
  }
  int one = 1;
  ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

namespace {


bool send_all(int fd, const std::string& bytes) {
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t sent = ::send(fd, bytes.data() + done, bytes.size() - done, MSG_NOSIGNAL);
    if (sent < 0 && errno == EINTR) continue;
    if (sent <= 0) return false;
    done += static_cast<std::size_t>(sent);
  }
  return true;
}

// Reads more bytes into `buffer` until the deadline: false on close, error or time-out.
bool read_more(int fd, std::string& buffer, std::chrono::steady_clock::time_point deadline) {
  const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
  if (left.count() <= 0) return false;
  pollfd watch{fd, POLLIN, 0};
  if (::poll(&watch, 1, static_cast<int>(left.count())) <= 0) return false;
  char chunk[16384];
  const ssize_t got = ::recv(fd, chunk, sizeof chunk, 0);
  if (got <= 0) return false;
  buffer.append(chunk, static_cast<std::size_t>(got));
  return true;
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
  return text;
}

// Parses the status line and headers of `head` (without the blank line).
void parse_head(const std::string& head, HttpReply& reply) {
  const auto first_end = head.find("\r\n");
  const std::string status_line = head.substr(0, first_end);
  if (status_line.rfind("HTTP/1.", 0) == 0 && status_line.size() >= 12)
    reply.status = std::stoi(status_line.substr(9, 3));
  std::size_t at = first_end == std::string::npos ? head.size() : first_end + 2;
  while (at < head.size()) {
    auto end = head.find("\r\n", at);
    if (end == std::string::npos) end = head.size();
    const std::string line = head.substr(at, end - at);
    const auto colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      value.erase(0, value.find_first_not_of(' '));
      reply.headers[lower(line.substr(0, colon))] = value;
    }
    at = end + 2;
  }
}

}  // namespace

HttpClient::~HttpClient() { disconnect(); }

bool HttpClient::connect() {
  if (fd_ >= 0) return true;
  fd_ = connect_loopback(port_);
  return fd_ >= 0;
}

void HttpClient::disconnect() {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

HttpReply HttpClient::get(const std::string& target) { return request("GET", target, ""); }
HttpReply HttpClient::post(const std::string& target, const std::string& body) { return request("POST", target, body); }

HttpReply HttpClient::request(const std::string& method, const std::string& target, const std::string& body,
                              const std::vector<std::string>& extra_headers) {
  std::string message = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
  if (!token_.empty()) message += "Authorization: Bearer " + token_ + "\r\n";
  for (const auto& header : extra_headers) message += header + "\r\n";
  if (method == "POST" || !body.empty()) {
    message += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  }
  message += "\r\n" + body;
  // A kept-alive connection the server has since closed fails at once: one retry on a new one.
  for (int attempt = 0; attempt < 2; ++attempt) {
    if (!connect()) throw std::runtime_error("cannot connect to the server");
    if (!send_all(fd_, message)) {
      disconnect();
      continue;
    }
    HttpReply reply;
    std::string buffer;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
    std::size_t head_end;
    while ((head_end = buffer.find("\r\n\r\n")) == std::string::npos) {
      if (!read_more(fd_, buffer, deadline)) break;
    }
    if (head_end == std::string::npos) {
      disconnect();
      if (buffer.empty() && attempt == 0) continue;
      return reply;  // status 0: no answer
    }
    parse_head(buffer.substr(0, head_end), reply);
    const std::size_t length =
        std::stoul(reply.header("content-length").empty() ? "0" : reply.header("content-length"));
    std::string rest = buffer.substr(head_end + 4);
    while (rest.size() < length && read_more(fd_, rest, deadline)) {
    }
    reply.body = rest.substr(0, length);
    if (lower(reply.header("connection")) == "close") disconnect();
    return reply;
  }
  return HttpReply{};
}

std::string raw_exchange(std::uint16_t port, const std::string& bytes, std::chrono::milliseconds timeout) {
  const int fd = connect_loopback(port);
  if (fd < 0) throw std::runtime_error("cannot connect to the server");
  send_all(fd, bytes);
  std::string answer;
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (read_more(fd, answer, deadline)) {
  }
  ::close(fd);
  return answer;
}

int raw_status(const std::string& answer) {
  if (answer.rfind("HTTP/1.", 0) != 0 || answer.size() < 12) return 0;
  return std::stoi(answer.substr(9, 3));
}

std::string raw_body(const std::string& answer) {
  const auto end = answer.find("\r\n\r\n");
  return end == std::string::npos ? std::string() : answer.substr(end + 4);
}

SseReader::SseReader(std::uint16_t port, const std::string& target, const std::string& token,
                     const std::string& last_event_id) {
  fd_ = connect_loopback(port);
  if (fd_ < 0) throw std::runtime_error("cannot connect to the server");
  std::string message = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n";
  if (!token.empty()) message += "Authorization: Bearer " + token + "\r\n";
  if (!last_event_id.empty()) message += "Last-Event-ID: " + last_event_id + "\r\n";
  send_all(fd_, message + "\r\n");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::size_t head_end;
  while ((head_end = buffer_.find("\r\n\r\n")) == std::string::npos) {
    if (!read_more(fd_, buffer_, deadline)) return;
  }
  HttpReply head;
  parse_head(buffer_.substr(0, head_end), head);
  status_ = head.status;
  buffer_.erase(0, head_end + 4);
}

SseReader::~SseReader() {
  if (fd_ >= 0) ::close(fd_);
}

std::optional<std::string> SseReader::line(std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    const auto end = buffer_.find('\n');
    if (end != std::string::npos) {
      std::string text = buffer_.substr(0, end);
      buffer_.erase(0, end + 1);
      return text;
    }
    if (!read_more(fd_, buffer_, deadline)) return std::nullopt;
  }
}

bool SseReader::closed_by_server() const {
  if (!buffer_.empty()) return false;
  pollfd watch{fd_, POLLIN, 0};
  if (::poll(&watch, 1, 0) <= 0) return false;
  char byte;
  return ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

std::optional<SseEvent> SseReader::next(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  SseEvent event;
  bool any = false;
  for (;;) {
    auto text = line(deadline);
    if (!text) return std::nullopt;
    if (text->empty()) {
      if (any && !event.data.empty()) return event;
      any = false;
      event = {};
      continue;
    }
    if (text->front() == ':') {
      saw_comment_ = true;
      continue;
    }
    const auto colon = text->find(':');
    const std::string field = text->substr(0, colon);
    std::string value = colon == std::string::npos ? "" : text->substr(colon + 1);
    if (!value.empty() && value.front() == ' ') value.erase(0, 1);
    if (field == "id") event.id = value;
    if (field == "event") event.event = value;
    if (field == "data") event.data += value;
    any = true;
  }
}

double metric(std::uint16_t port, const std::string& token, const std::string& series) {
  HttpClient client(port, token);
  const auto body = client.get("/metrics").body;
  const auto at = body.find("\n" + series + " ");
  if (at == std::string::npos) return -1;
  return std::stod(body.substr(at + series.size() + 2));
}

}  // namespace orgledger::testing
