// One HTTP/1.1 connection: read a request under the limits, authenticate, route, run the handler
// where its cost class says (router.h: inline, the worker pool, or the costly pool), answer, and
// go on while the client keeps alive. While whole-state work runs, the connection is watched: a
// client that leaves cancels it (issue 11).
#include <utility>  // before Boost 1.74's Asio under C++23

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include <algorithm>
#include <array>
#include <nlohmann/json.hpp>

#include "access_log.h"
#include "query_state.h"
#include "request_head.h"
#include "server_impl.h"
#include "sse_stream.h"

#include <future>

namespace orgledger::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

using TlsStream = beast::ssl_stream<beast::tcp_stream>;

// Who a request without a token is counted as: its IPv4 address, or its IPv6 /64 (one site's
// prefix, which a client can rotate addresses within but not leave).
std::string client_of(const net::ip::address& address) {
  if (!address.is_v6() || address.to_v6().is_v4_mapped()) return address.to_string();
  auto bytes = address.to_v6().to_bytes();
  std::fill(bytes.begin() + 8, bytes.end(), 0);
  return net::ip::address_v6(bytes).to_string() + "/64";
}

// Stream: beast::tcp_stream (HTTP) or TlsStream (HTTPS, API.md TLS): the same session over both.
template <typename Stream>
class Session final : public Server::Impl::Connection, public std::enable_shared_from_this<Session<Stream>> {
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;
  using std::enable_shared_from_this<Session<Stream>>::shared_from_this;
  using std::enable_shared_from_this<Session<Stream>>::weak_from_this;

 public:
  Session(Server::Impl& server, tcp::socket socket, std::uint64_t gate_id)
    requires(!kTls)
      : server_(server), stream_(std::move(socket)), gate_id_(gate_id) {
    set_up();
  }
  Session(Server::Impl& server, tcp::socket socket, std::uint64_t gate_id, net::ssl::context& tls)
    requires kTls
      : server_(server), stream_(std::move(socket), tls), gate_id_(gate_id) {
    set_up();
  }

  void set_up() {
    boost::system::error_code ignored;
    // Answers go out as soon as they are written: Nagle's algorithm would hold a small answer
    // back until the previous one is acknowledged (up to the peer's delayed-ACK time, ~40 ms).
    lowest().socket().set_option(tcp::no_delay(true), ignored);
    const auto remote = lowest().socket().remote_endpoint(ignored);
    remote_ = ignored ? std::string("?") : remote.address().to_string() + ":" + std::to_string(remote.port());
    client_ = ignored ? std::string("?") : client_of(remote.address());
  }
  ~Session() override {
    server_.gate.closed(gate_id_);
    server_.connection_closed();
  }

  void start() {
    server_.connection_opened(weak_from_this());
    server_.gate.attach(gate_id_, weak_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] {
      if constexpr (kTls) {
        // The handshake is part of the header deadline: a stranger holds nothing longer for it.
        self->lowest().expires_after(self->server_.options.header_timeout);
        self->stream_.async_handshake(net::ssl::stream_base::server, [self](beast::error_code error) {
          if (error) return self->close();  // not TLS (plain HTTP to the HTTPS port), or a bad one
          self->wait_for_request();
        });
      } else {
        self->wait_for_request();
      }
    });
  }

  void close_if_idle() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) self->lowest().cancel();
    });
  }

  // The gate makes room for a newcomer: a connection that never authenticated goes.
  void evict() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (!self->authenticated_) self->close();
    });
  }

  void cancel_costly() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->cancelled_) self->cancelled_->store(true);
    });
  }

 private:
  // Idle: a kept-alive connection waits for the first byte of its next request (idle_timeout once
  // it has authenticated, header_timeout before); from that byte on, the headers must arrive
  // within header_timeout and the body within request_timeout (a slow or silent client never
  // holds a connection for long, and one without a token holds it only briefly).
  void wait_for_request() {
    if (server_.stopping.load()) return close();
    idle_ = true;
    if (buffer_.size() > 0) return read_request();
    lowest().expires_after(authenticated_ ? server_.options.idle_timeout
                                          : std::min(server_.options.idle_timeout, server_.options.header_timeout));
    stream_.async_read_some(buffer_.prepare(4096),
                            [self = shared_from_this()](beast::error_code error, std::size_t bytes) {
                              self->idle_ = false;
                              if (error) return self->close();
                              self->buffer_.commit(bytes);
                              self->read_request();
                            });
  }

  // The header first: a request is routed and its token checked before its body is read, so a
  // client without a valid token can make the server hold no more than a header.
  void read_request() {
    idle_ = false;
    parser_.emplace();
    // The larger limit until the route is known (Beast checks a Content-Length against it with the
    // header); on_header narrows it for every route but POST /v1/commands (K2).
    parser_->body_limit(std::max(server_.options.body_limit, server_.options.document_body_limit));
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_limit));
    lowest().expires_after(server_.options.header_timeout);
    http::async_read_header(
        stream_, buffer_, *parser_,
        [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_header(error); });
  }

  // Transport and parse errors: answer when an answer is possible, then close (after a broken
  // request the stream cannot be trusted).
  bool failed(beast::error_code error) {
    if (!error) return false;
    if (error == http::error::end_of_stream || error == beast::error::timeout ||
        error == net::error::operation_aborted || error == net::error::eof || error == net::error::connection_reset ||
        error == http::error::partial_message) {
      close();  // gone or silent: no answer is possible, or none is owed
      return true;
    }
    keep_alive_ = false;
    if (error == http::error::body_limit) {
      // Past the larger limit (the route is not known yet when a Content-Length is refused).
      respond(problem_response(413, "payload_too_large",
                               "the body is over " + std::to_string(server_.options.document_body_limit) +
                                   " bytes (" + std::to_string(server_.options.body_limit) +
                                   " for every command but SubmitIdentityDocuments)"));
    } else if (error == http::error::header_limit) {
      respond(problem_response(
          400, "invalid_argument",
          "the request's headers are over " + std::to_string(server_.options.header_limit) + " bytes"));
    } else {
      respond(problem_response(400, "invalid_argument", "malformed HTTP request: " + error.message()));
    }
    return true;
  }

  void on_header(beast::error_code error) {
    started_ = SteadyClock::now();
    route_ = nullptr;
    token_ = TokenInfo{};
    if (failed(error)) return;
    auto& message = parser_->get();
    keep_alive_ = message.keep_alive();
    request_ = request_head(message);
    if (!authorize(message)) return;
    // K2: a command may be SubmitIdentityDocuments, the one allowed up to 6 MiB; which command it
    // is shows only in the body: the handler refuses any other over body_limit. Every other route
    // keeps body_limit.
    if (route_->handle != post_command) {
      const auto length = parser_->content_length();
      if (length && *length > server_.options.body_limit) {
        keep_alive_ = false;  // its body stays unread
        respond(problem_response(413, "payload_too_large",
                                 "the body is over " + std::to_string(server_.options.body_limit) + " bytes"));
        return;
      }
      parser_->body_limit(server_.options.body_limit);
    }
    // An answer refused from the header leaves its body unread: that connection closes.
    if (parser_->is_done()) return on_body({});
    lowest().expires_after(server_.options.request_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     [self = shared_from_this()](beast::error_code error, std::size_t) { self->on_body(error); });
  }

  // Routing, the token, the rate limit and the scope: false when answered with a problem.
  bool authorize(const http::request_parser<http::string_body>::value_type& message) {
    auto refuse = [this](HttpResponse response) {
      if (!parser_->is_done()) keep_alive_ = false;
      respond(std::move(response));
      return false;
    };
    found_ = match_route(request_.method, request_.path);
    if (!found_.route) {
      if (found_.path_exists)
        return refuse(
            problem_response(405, "method_not_allowed", request_.method + " is not served on " + request_.path));
      return refuse(problem_response(404, "not_found", "no route " + request_.path));
    }
    route_ = found_.route;
    if (route_->work == Work::open) {
      // No token to count against: the public tree routes are limited per client address
      // (serve --public-rate-limit). A health probe (/healthz) is never limited, nor are the
      // console's files: answered from memory, as cheap as the probe, and a page load asks for a
      // dozen of them.
      if (route_->pattern == "/healthz" || route_ == &console_route()) return true;
      if (auto wait = server_.public_limiter.admit(client_, SteadyClock::now())) {
        auto response = problem_response(429, "rate_limited", "address " + client_ + " is over the public routes' rate limit");
        response.headers.emplace_back("Retry-After", std::to_string(wait->count()));
        return refuse(std::move(response));
      }
      return true;
    }
    const std::string_view authorization = message[http::field::authorization];
    std::optional<TokenInfo> token;
    // RFC 7235: the scheme name is case-insensitive.
    if (authorization.size() > 7 && beast::iequals(authorization.substr(0, 7), "Bearer ")) {
      // D5: a revoked or expired token is refused from the next request on.
      token = server_.services.tokens.authenticate(authorization.substr(7), server_.services.clock.now());
    }
    if (!token) {
      auto response =
          problem_response(401, "unauthenticated", "a valid bearer token is needed (Authorization: Bearer …)");
      response.headers.emplace_back("WWW-Authenticate", "Bearer");
      return refuse(std::move(response));
    }
    token_ = std::move(*token);
    if (!authenticated_) {
      // From now on the gate never evicts this connection: it is a client's, not a stranger's.
      authenticated_ = true;
      server_.gate.authenticated(gate_id_);
    }
    if (auto wait = server_.rate_limiter.admit(token_.name, SteadyClock::now())) {
      auto response = problem_response(429, "rate_limited", "token '" + token_.name + "' is over its rate limit");
      response.headers.emplace_back("Retry-After", std::to_string(wait->count()));
      return refuse(std::move(response));
    }
    if (!route_->handler_checks_scope && !token_.allows(route_->scope)) {
      return refuse(
          problem_response(403, "forbidden", std::string("this needs the ") + to_string(route_->scope) + " scope"));
    }
    return true;
  }

  void on_body(beast::error_code error) {
    if (failed(error)) return;
    request_.body = std::move(parser_->get().body());
    auto query = parse_query(request_.query, route_->params);
    if (!query) return respond(problem_response(400, "invalid_argument", query.error()));
    auto at_least = positive_integer_param(*query, kEveryRouteParam);
    if (!at_least) return respond(problem_response(400, "invalid_argument", at_least.error()));
    query->values().erase(std::string(kEveryRouteParam));  // the node's, not the route's
    if (*at_least && server_.services.ledger.head().position < **at_least) {
      return wait_for_position(**at_least, std::chrono::steady_clock::now() + kAtLeastWait, std::move(*query));
    }
    dispatch(std::move(*query));
  }

  // Issue 18, read-your-writes across nodes: a query with at_least=P waits until this node has
  // applied P (polled: the head moves by whole groups, and the wait is short), else 503.
  static constexpr std::chrono::milliseconds kAtLeastWait{2'000};
  void wait_for_position(std::uint64_t position, std::chrono::steady_clock::time_point deadline, QueryParams query) {
    const auto head = server_.services.ledger.head().position;
    if (head >= position) return dispatch(std::move(query));
    if (std::chrono::steady_clock::now() >= deadline) {
      auto response = problem_response(503, "unavailable",
                                       "this node has applied position " + std::to_string(head) + ", not yet " +
                                           std::to_string(position));
      response.headers.emplace_back("Retry-After", "1");
      return respond(std::move(response));
    }
    auto timer = std::make_shared<net::steady_timer>(stream_.get_executor(), std::chrono::milliseconds(2));
    timer->async_wait([self = shared_from_this(), timer, position, deadline, query = std::move(query)](beast::error_code) mutable {
      self->wait_for_position(position, deadline, std::move(query));
    });
  }

  void dispatch(QueryParams query) {
    if (route_->work == Work::stream) return start_stream(std::move(query));

    call_.emplace(Call{request_, std::move(found_.path_params), std::move(query), token_, server_.services});
    // Every reply is counted until it is handed to the connection, so that stop() never takes
    // the server away from an answer still on its way (a command waiting for its fsync).
    server_.reply_started();
    auto reply = [self = shared_from_this()](HttpResponse response) {
      net::post(self->stream_.get_executor(),
                [self, response = std::move(response)]() mutable { self->respond(std::move(response)); });
      self->server_.reply_finished();
    };
    switch (cost_of(*route_, call_->query)) {
      case Cost::live:
        return route_->handle(*call_, std::move(reply));
      case Cost::org_history:
        return net::post(server_.workers, [self = shared_from_this(), reply = std::move(reply)]() mutable {
          self->route_->handle(*self->call_, std::move(reply));
        });
      case Cost::whole_state:
        return run_costly(std::move(reply));
    }
  }

  // Whole-state work: queued on the costly pool within the token's share, then watched.
  void run_costly(Reply reply) {
    cancelled_ = std::make_shared<std::atomic<bool>>(false);
    call_->cancelled = cancelled_.get();
    auto job = [self = shared_from_this(), reply](bool skipped) mutable {
      if (skipped) {
        self->server_.metrics.costly_cancelled();
        return reply(problem_response(499, "cancelled", "the client left before its turn"));
      }
      self->route_->handle(*self->call_, std::move(reply));
    };
    auto queued = server_.costly.submit(token_.name, cancelled_, std::move(job));
    if (!queued) {
      HttpResponse refusal;
      if (queued.error() == CostlyPool::Refusal::token_busy) {
        server_.metrics.costly_refused_token_busy();
        refusal = problem_response(429, "rate_limited",
                                   "token '" + token_.name + "' has " + std::to_string(server_.options.costly_per_token) +
                                       " costly queries under way already (a global as_of, verify, event scans)");
      } else {
        server_.metrics.costly_refused_full();
        refusal = problem_response(503, "unavailable", "too many costly queries are waiting");
      }
      refusal.headers.emplace_back("Retry-After", "1");
      // The refusal is paced: a client that ignores Retry-After and asks again at once would
      // otherwise turn refusals into a flood of their own, on the threads that answer checks.
      auto pace = std::make_shared<net::steady_timer>(stream_.get_executor(), server_.options.costly_refusal_pace);
      pace->async_wait([pace, reply, refusal = std::move(refusal)](beast::error_code) mutable {
        reply(std::move(refusal));
      });
      return;
    }
    watch_for_departure();
  }

  // A read while the costly work waits or runs: its end (EOF, reset) means the client left, and
  // the work is cancelled. Bytes a client pipelines are kept for the next request.
  void watch_for_departure() {
    watching_ = true;
    lowest().expires_never();
    stream_.async_read_some(net::buffer(watch_bytes_), [self = shared_from_this()](beast::error_code error,
                                                                                  std::size_t bytes) {
      self->watching_ = false;
      if (bytes > 0) {
        self->buffer_.commit(net::buffer_copy(self->buffer_.prepare(bytes), net::buffer(self->watch_bytes_, bytes)));
      }
      if (self->answering_) {  // respond() ended the watch
        if (self->resume_after_watch_) {
          self->resume_after_watch_ = false;
          self->answering_ = false;
          self->wait_for_request();
        }
        return;
      }
      if (error) {
        self->cancelled_->store(true);
        return;
      }
      if (self->buffer_.size() < self->server_.options.header_limit) self->watch_for_departure();
    });
  }

  void start_stream(QueryParams query) {
    auto from = sse_start_position(query, request_.last_event_id);
    if (!from) return respond(problem_response(400, "invalid_argument", from.error()));
    if (auto slot = server_.subscriber_started(token_.name); !slot) {
      auto response = slot.error() == Server::Impl::SubscriberRefusal::token_busy
                           ? problem_response(429, "rate_limited",
                                              "token '" + token_.name + "' has " +
                                                  std::to_string(server_.options.max_subscribers_per_token) +
                                                  " event subscriptions open already")
                           : problem_response(503, "unavailable", "too many event subscribers");
      response.headers.emplace_back("Retry-After", "5");
      return respond(std::move(response));
    }
    log_request(200, "", 0);
    lowest().expires_never();
    if constexpr (kTls) {
      // Over TLS the session keeps the stream (its encryption state lives there): the subscriber's
      // thread hands its frames to the session's strand and waits for each write (TlsSink).
      run_sse_subscriber(server_, std::make_unique<TlsSink>(shared_from_this()), *from, personal_view_for(token_, server_.services),
                         token_.name);
    } else {
      // The subscriber takes the connection to a thread of its own (sse_stream.cc).
      run_sse_subscriber(server_, lowest().release_socket(), *from, personal_view_for(token_, server_.services), token_.name);
    }
  }

  // SSE over TLS: each frame is written by the session's strand; the subscriber's thread waits for
  // it until the frame's deadline, then closes the connection (which ends the write).
  class TlsSink final : public SseSink {
   public:
    explicit TlsSink(std::shared_ptr<Session> session) : session_(std::move(session)) {}
    ~TlsSink() override {
      net::post(session_->stream_.get_executor(), [session = session_] { session->close(); });
    }
    bool send(std::string_view bytes, std::chrono::steady_clock::time_point deadline) override {
      if (session_->server_.stopping.load()) return false;
      std::promise<bool> written;
      auto done = written.get_future();
      net::post(session_->stream_.get_executor(), [session = session_, bytes, &written] {
        net::async_write(session->stream_, net::buffer(bytes.data(), bytes.size()),
                         [&written](beast::error_code error, std::size_t) { written.set_value(!error); });
      });
      if (done.wait_until(deadline) == std::future_status::ready) return done.get();
      // Too slow: the connection closes, the write ends with an error, and only then may `bytes`
      // and `written` go.
      net::post(session_->stream_.get_executor(), [session = session_] { session->close(); });
      done.wait();
      return false;
    }
    bool client_left() override { return peer_closed(session_->lowest().socket().native_handle()); }

   private:
    std::shared_ptr<Session> session_;
  };

  void respond(HttpResponse response) {
    if (watching_) {
      // The answer is here: the watch read ends (its handler runs before this write's).
      answering_ = true;
      lowest().socket().cancel();
    }
    cancelled_.reset();
    if (response.status >= 400 && response.code.empty()) response.code = "error";
    auto message = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status), 11);
    message->set(http::field::content_type, response.content_type);
    message->set(http::field::server, "orgledger");
    for (auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive_ && !server_.stopping.load());
    message->prepare_payload();
    // A 304 has no body, and a Content-Length on it would have to be the full answer's (RFC 9110
    // §8.6): none is sent.
    if (response.status == 304) message->erase(http::field::content_length);
    const std::size_t bytes = message->body().size();
    const int status = response.status;
    const std::string code = std::move(response.code);
    lowest().expires_after(server_.options.request_timeout);
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message, status, code, bytes](beast::error_code error, std::size_t) {
                        self->log_request(status, code, bytes);
                        self->call_.reset();
                        if (error) return self->close();
                        if (!message->keep_alive()) return self->close_after_answer();
                        if (self->watching_) {
                          self->resume_after_watch_ = true;  // the watch's handler goes on
                          return;
                        }
                        self->answering_ = false;
                        self->wait_for_request();
                      });
  }

  void log_request(int status, const std::string& code, std::size_t bytes) {
    const auto duration = std::chrono::duration_cast<std::chrono::microseconds>(SteadyClock::now() - started_);
    const std::string route = route_ ? std::string(route_->pattern) : std::string("unmatched");
    server_.metrics.request_done(route, status, duration);
    server_.write_access_log(access_log_line({server_.services.clock.now(), remote_, request_.method, request_.path,
                                              route, status, code, duration, bytes, token_.name}));
    route_ = nullptr;
  }

  void close() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_both, ignored);
    lowest().close();
  }

  // After an answer to a request whose body was not read (a refusal, 413): stop sending, then
  // read and drop what the client still sends for a moment before closing. Closing with unread
  // input makes the kernel reset the connection, and the client would lose the answer.
  void close_after_answer() {
    beast::error_code ignored;
    lowest().socket().shutdown(tcp::socket::shutdown_send, ignored);
    lowest().expires_after(std::chrono::seconds(1));
    drain(0);
  }

  void drain(std::size_t drained) {
    // Past the largest body a client may send (a 6 MiB SubmitIdentityDocuments, K2) with room: a
    // client refused at its header is still sending that much.
    const std::size_t max_drain = 2 * std::max(server_.options.body_limit, server_.options.document_body_limit);
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = shared_from_this(), drained, max_drain](beast::error_code error, std::size_t bytes) {
                              if (error || drained + bytes > max_drain) return self->close();
                              self->buffer_.commit(bytes);
                              self->drain(drained + bytes);
                            });
  }

  beast::tcp_stream& lowest() { return beast::get_lowest_layer(stream_); }

  Server::Impl& server_;
  Stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  std::string client_;  // the rate limit's key for the public routes (client_of)
  HttpRequest request_;
  const Route* route_ = nullptr;
  RouteMatch found_;
  TokenInfo token_;
  std::optional<Call> call_;
  bool keep_alive_ = true;
  bool idle_ = false;
  const std::uint64_t gate_id_;
  bool authenticated_ = false;  // a request on it carried a valid token (the gate's reserve)
  // Costly work: its cancellation flag (shared with the pool), and the watch for departure.
  std::shared_ptr<std::atomic<bool>> cancelled_;
  bool watching_ = false;
  bool answering_ = false;           // respond() cancelled the watch
  bool resume_after_watch_ = false;  // the answer is written; the watch's handler reads on
  std::array<char, 1024> watch_bytes_{};
  SteadyClock::time_point started_ = SteadyClock::now();
};

}  // namespace

void start_session(Server::Impl& server, tcp::socket socket, std::uint64_t gate_id) {
  if (server.tls) {
    std::make_shared<Session<TlsStream>>(server, std::move(socket), gate_id, *server.tls)->start();
  } else {
    std::make_shared<Session<beast::tcp_stream>>(server, std::move(socket), gate_id)->start();
  }
}

}  // namespace orgledger::api
