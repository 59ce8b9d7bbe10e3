// One HTTP/1.1 connection: read a request under the limits, authenticate, route, run the handler
// (inline, or on the worker pool for heavy work), answer, and go on while the client keeps alive.
#include <utility>  // before Boost 1.74's Asio under C++23

#include <boost/asio/dispatch.hpp>
#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <nlohmann/json.hpp>

#include "access_log.h"
#include "query_state.h"
#include "server_impl.h"
#include "sse_stream.h"

namespace orgledger::api {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
namespace net = boost::asio;
using tcp = net::ip::tcp;
using SteadyClock = std::chrono::steady_clock;

class Session final : public Server::Impl::Connection, public std::enable_shared_from_this<Session> {
 public:
  Session(Server::Impl& server, tcp::socket socket) : server_(server), stream_(std::move(socket)) {
    boost::system::error_code ignored;
    // Answers go out as soon as they are written: Nagle's algorithm would hold a small answer
    // back until the previous one is acknowledged (up to the peer's delayed-ACK time, ~40 ms).
    stream_.socket().set_option(tcp::no_delay(true), ignored);
    const auto remote = stream_.socket().remote_endpoint(ignored);
    remote_ = ignored ? std::string("?") : remote.address().to_string() + ":" + std::to_string(remote.port());
  }
  ~Session() override { server_.connection_closed(); }

  void start() {
    server_.connection_opened(weak_from_this());
    net::dispatch(stream_.get_executor(), [self = shared_from_this()] { self->wait_for_request(); });
  }

  void close_if_idle() override {
    net::post(stream_.get_executor(), [self = shared_from_this()] {
      if (self->idle_) self->stream_.cancel();
    });
  }

 private:
  // Idle: a kept-alive connection waits for the first byte of its next request (idle_timeout);
  // from that byte on, the whole request must arrive within request_timeout (a slow or silent
  // client never holds a connection for long).
  void wait_for_request() {
    if (server_.stopping.load()) return close();
    idle_ = true;
    if (buffer_.size() > 0) return read_request();
    stream_.expires_after(server_.options.idle_timeout);
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
    parser_->body_limit(server_.options.body_limit);
    parser_->header_limit(static_cast<std::uint32_t>(server_.options.header_limit));
    stream_.expires_after(server_.options.request_timeout);
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
      respond(problem_response(413, "payload_too_large",
                               "the body is over " + std::to_string(server_.options.body_limit) + " bytes"));
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
    request_.method = std::string(message.method_string());
    const std::string_view target(message.target().data(), message.target().size());
    const auto question = target.find('?');
    request_.path = std::string(target.substr(0, question));
    request_.query = question == std::string_view::npos ? std::string() : std::string(target.substr(question + 1));
    request_.body.clear();
    request_.last_event_id.clear();
    if (auto it = message.find("Last-Event-ID"); it != message.end()) request_.last_event_id = std::string(it->value());
    if (!authorize(message)) return;
    // An answer refused from the header leaves its body unread: that connection closes.
    if (parser_->is_done()) return on_body({});
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
    if (route_->work == Work::open) return true;
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

    if (route_->work == Work::stream) return start_stream(std::move(*query));

    call_.emplace(Call{request_, std::move(found_.path_params), std::move(*query), token_, server_.services});
    // Every reply is counted until it is handed to the connection, so that stop() never takes
    // the server away from an answer still on its way (a command waiting for its fsync).
    server_.reply_started();
    auto reply = [self = shared_from_this()](HttpResponse response) {
      net::post(self->stream_.get_executor(),
                [self, response = std::move(response)]() mutable { self->respond(std::move(response)); });
      self->server_.reply_finished();
    };
    const bool heavy = route_->work == Work::heavy || call_->query.has("as_of") || call_->query.has("cursor");
    if (!heavy) return route_->handle(*call_, std::move(reply));
    net::post(server_.workers, [self = shared_from_this(), reply = std::move(reply)]() mutable {
      self->route_->handle(*self->call_, std::move(reply));
    });
  }

  void start_stream(QueryParams query) {
    auto from = sse_start_position(query, request_.last_event_id);
    if (!from) return respond(problem_response(400, "invalid_argument", from.error()));
    if (!server_.subscriber_started()) {
      auto response = problem_response(503, "unavailable", "too many event subscribers");
      response.headers.emplace_back("Retry-After", "5");
      return respond(std::move(response));
    }
    log_request(200, "", 0);
    // The subscriber takes the connection to a thread of its own (sse_stream.cc).
    stream_.expires_never();
    run_sse_subscriber(server_, stream_.release_socket(), *from, reporter_details_for(token_), token_.name);
  }

  void respond(HttpResponse response) {
    if (response.status >= 400 && response.code.empty()) response.code = "error";
    auto message = std::make_shared<http::response<http::string_body>>(static_cast<http::status>(response.status), 11);
    message->set(http::field::content_type, response.content_type);
    message->set(http::field::server, "orgledger");
    for (auto& [name, value] : response.headers) message->set(name, value);
    message->body() = std::move(response.body);
    message->keep_alive(keep_alive_ && !server_.stopping.load());
    message->prepare_payload();
    const std::size_t bytes = message->body().size();
    const int status = response.status;
    const std::string code = std::move(response.code);
    stream_.expires_after(server_.options.request_timeout);
    http::async_write(stream_, *message,
                      [self = shared_from_this(), message, status, code, bytes](beast::error_code error, std::size_t) {
                        self->log_request(status, code, bytes);
                        self->call_.reset();
                        if (error) return self->close();
                        if (!message->keep_alive()) return self->close_after_answer();
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
    stream_.socket().shutdown(tcp::socket::shutdown_both, ignored);
    stream_.close();
  }

  // After an answer to a request whose body was not read (a refusal, 413): stop sending, then
  // read and drop what the client still sends for a moment before closing. Closing with unread
  // input makes the kernel reset the connection, and the client would lose the answer.
  void close_after_answer() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    stream_.expires_after(std::chrono::seconds(1));
    drain(0);
  }

  void drain(std::size_t drained) {
    constexpr std::size_t kMaxDrain = 4 << 20;
    buffer_.consume(buffer_.size());
    stream_.async_read_some(buffer_.prepare(64 * 1024),
                            [self = shared_from_this(), drained](beast::error_code error, std::size_t bytes) {
                              if (error || drained + bytes > kMaxDrain) return self->close();
                              self->buffer_.commit(bytes);
                              self->drain(drained + bytes);
                            });
  }

  Server::Impl& server_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;
  std::string remote_;
  HttpRequest request_;
  const Route* route_ = nullptr;
  RouteMatch found_;
  TokenInfo token_;
  std::optional<Call> call_;
  bool keep_alive_ = true;
  bool idle_ = false;
  SteadyClock::time_point started_ = SteadyClock::now();
};

}  // namespace

void start_session(Server::Impl& server, tcp::socket socket) {
  std::make_shared<Session>(server, std::move(socket))->start();
}

}  // namespace orgledger::api
