// GET /v1/events/subscribe (API.md): Server-Sent Events. Each event is sent as
//   id: <position>\nevent: <type>\ndata: <the event's JSON, one line>\n\n
// first from the requested position, then live as events become durable, with no gap and no
// duplicate; `: keep-alive` comments when nothing happens. A subscriber runs on a thread of its
// own with blocking writes bounded by a send timeout: it reads from the log only as fast as its
// client takes bytes, so a slow client costs no memory, and one that takes nothing for
// sse_send_timeout is cut off.
#pragma once

#include <utility>

#include <boost/asio/ip/tcp.hpp>

#include <chrono>
#include <expected>
#include <memory>
#include <string_view>
#include <string>

#include "orgledger/api/event_json.h"
#include "request_input.h"
#include "server_impl.h"

namespace orgledger::api {

// Where a subscription starts: after Last-Event-ID when the client resumes (it wins over `from`,
// which a reconnecting client repeats), else `from`, else 1.
std::expected<ledger::Position, std::string> sse_start_position(const QueryParams& query,
                                                                const std::string& last_event_id);

// Where a subscriber's bytes go: the plain socket itself (blocking sends), or a TLS session that
// writes them on its own strand (http_session.cc).
class SseSink {
 public:
  virtual ~SseSink() = default;  // closes the connection
  // Sends all of `bytes` by `deadline`: false when the client is gone, too slow, or the server stops.
  virtual bool send(std::string_view bytes, std::chrono::steady_clock::time_point deadline) = 0;
  // The client closed its end (a subscriber sends nothing after its request).
  virtual bool client_left() = 0;
};

// Takes over `socket` (the request was read and authorised; `token`'s subscriber slot is taken)
// and streams until the client leaves, is cut off, the server stops, or the token is revoked or
// expires (D5); then gives the slot back.
void run_sse_subscriber(Server::Impl& server, boost::asio::ip::tcp::socket socket, ledger::Position from,
                        PersonalView view, std::string token);
// The same over any sink (TLS: the session stays the connection's owner and writes for it).
void run_sse_subscriber(Server::Impl& server, std::unique_ptr<SseSink> sink, ledger::Position from,
                        PersonalView view, std::string token);

// Whether the peer of `fd` closed its end (poll, no byte consumed).
bool peer_closed(int fd);

}  // namespace orgledger::api
