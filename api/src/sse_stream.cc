#include "sse_stream.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <atomic>
#include <cerrno>
#include <charconv>
#include <limits>
#include <nlohmann/json.hpp>
#include <system_error>
#include <thread>

namespace orgledger::api {
namespace {

using tcp = boost::asio::ip::tcp;
constexpr std::size_t kBatch = 256;
constexpr int kSendBuffer = 256 * 1024;
constexpr auto kPoll = std::chrono::milliseconds(200);  // how soon a stop or a departed client is noticed

std::optional<ledger::Position> parse_position(const std::string& text) {
  ledger::Position value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size()) return std::nullopt;
  return value;
}

// Writes all of `bytes` within `deadline`; false when the client is gone, too slow (a trickle of
// reads resets the socket's own time-out, the deadline is for the whole frame), or the server
// is stopping.
bool send_all(int fd, std::string_view bytes, std::chrono::steady_clock::time_point deadline,
              const std::atomic<bool>& stopping) {
  while (!bytes.empty()) {
    if (stopping.load() || std::chrono::steady_clock::now() > deadline) return false;
    const ssize_t sent = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
    if (sent < 0) {
      if (errno == EINTR || errno == EAGAIN || errno == EWOULDBLOCK) continue;  // the socket's time-out: look again
      return false;
    }
    bytes.remove_prefix(static_cast<std::size_t>(sent));
  }
  return true;
}

// The plain socket: blocking sends from the subscriber's thread.
class SocketSink final : public SseSink {
 public:
  SocketSink(Server::Impl& server, tcp::socket socket) : server_(server), socket_(std::move(socket)) {
    boost::system::error_code ignored;
    socket_.native_non_blocking(false, ignored);  // blocking sends, bounded by SO_SNDTIMEO below
    const int fd = socket_.native_handle();
    // Each send blocks at most kPoll, so a stop or a frame's deadline is noticed soon.
    const auto timeout = std::chrono::duration_cast<std::chrono::microseconds>(
        std::min<std::chrono::milliseconds>(kPoll, server.options.sse_send_timeout));
    timeval send_timeout{static_cast<time_t>(timeout.count() / 1'000'000),
                         static_cast<suseconds_t>(timeout.count() % 1'000'000)};
    ::setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &send_timeout, sizeof send_timeout);
    // A fixed kernel buffer (not autotuned to megabytes): what a subscriber may hold unread is
    // small and known, and a stalled one blocks the sender soon, so its time-out can cut it off.
    const int send_buffer = kSendBuffer;
    ::setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
  }
  ~SocketSink() override {
    boost::system::error_code ignored;
    socket_.shutdown(tcp::socket::shutdown_both, ignored);
    socket_.close(ignored);
  }
  bool send(std::string_view bytes, std::chrono::steady_clock::time_point deadline) override {
    return send_all(socket_.native_handle(), bytes, deadline, server_.stopping);
  }
  bool client_left() override { return peer_closed(socket_.native_handle()); }

 private:
  Server::Impl& server_;
  tcp::socket socket_;
};

void stream_events(Server::Impl& server, SseSink& sink, ledger::Position from, PersonalView view,
                   const std::string& token) {
  const std::string head =
      "HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\nCache-Control: no-cache\r\nConnection: close\r\n"
      "X-Accel-Buffering: no\r\nServer: orgledger\r\n\r\nretry: 2000\n\n";
  auto send = [&](std::string_view bytes) {
    return sink.send(bytes, std::chrono::steady_clock::now() + server.options.sse_send_timeout);
  };
  if (!send(head)) return;

  auto subscription = server.services.ledger.subscribe(from);
  auto last_sent = std::chrono::steady_clock::now();
  std::string frame;
  // D5: a revoked or expired token's stream closes within a second (kPoll).
  auto token_usable = [&] { return server.services.tokens.usable(token, server.services.clock.now()); };
  while (!server.stopping.load() && token_usable()) {
    auto events = subscription->next(kBatch, kPoll);
    frame.clear();
    if (!events) {
      nlohmann::json problem{{"code", "unavailable"}, {"detail", events.error().message}};
      send("event: error\ndata: " + problem.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n\n");
      return;
    }
    view.now = server.services.clock.now();  // K4: documents are forgotten from purge_at on
    for (const auto& event : *events) {
      frame += "id: " + std::to_string(event.position()) + "\nevent: ";
      frame += event.type_name();
      frame += "\ndata: ";
      frame += event_to_json(event, view).dump(-1, ' ', false, Json::error_handler_t::replace);
      frame += "\n\n";
    }
    const auto now = std::chrono::steady_clock::now();
    if (frame.empty() && now - last_sent >= server.options.sse_keepalive) frame = ": keep-alive\n\n";
    if (!frame.empty()) {
      if (!send(frame)) return;
      last_sent = now;
    } else if (sink.client_left()) {
      return;
    }
  }
}

}  // namespace

bool peer_closed(int fd) {
  pollfd watch{fd, POLLIN | POLLRDHUP, 0};
  if (::poll(&watch, 1, 0) <= 0) return false;
  if (watch.revents & (POLLRDHUP | POLLHUP | POLLERR)) return true;
  char byte;
  return ::recv(fd, &byte, 1, MSG_PEEK | MSG_DONTWAIT) == 0;
}

std::expected<ledger::Position, std::string> sse_start_position(const QueryParams& query,
                                                                const std::string& last_event_id) {
  if (!last_event_id.empty()) {
    auto last = parse_position(last_event_id);
    if (!last || *last == std::numeric_limits<ledger::Position>::max()) {
      return std::unexpected("Last-Event-ID is a position, not '" + last_event_id + "'");
    }
    return *last + 1;
  }
  if (auto text = query.get("from")) {
    auto from = parse_position(*text);
    if (!from) return std::unexpected("from is a position, not '" + *text + "'");
    return std::max<ledger::Position>(1, *from);
  }
  return 1;
}

void run_sse_subscriber(Server::Impl& server, tcp::socket socket, ledger::Position from, PersonalView view,
                        std::string token) {
  run_sse_subscriber(server, std::make_unique<SocketSink>(server, std::move(socket)), from, view,
                     std::move(token));
}

void run_sse_subscriber(Server::Impl& server, std::unique_ptr<SseSink> sink, ledger::Position from,
                        PersonalView view, std::string token) {
  // The sink (and so the connection) is destroyed before the slot is given back: once the last
  // slot is back, stop() may destroy the io_context the socket belongs to.
  auto run = [&server, sink = std::move(sink), from, view, token]() mutable {
    stream_events(server, *sink, from, view, token);
    sink.reset();
    server.subscriber_ended(token);
  };
  try {
    std::thread(std::move(run)).detach();
  } catch (const std::system_error&) {
    server.subscriber_ended(token);  // no thread to be had: the client is let go (its socket closes here)
  }
}

}  // namespace orgledger::api
