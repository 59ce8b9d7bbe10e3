// The server's insides, shared by the listener (server.cc), the connections (http_session.cc) and
// the event subscriptions (sse_stream.cc). Asio lives here and in those files only.
#pragma once

#include <utility>  // before Boost 1.74's Asio under C++23 (ARCHITECTURE.md, known traps)

#include <boost/asio/io_context.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/thread_pool.hpp>

#include <atomic>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "as_of_cache.h"
#include "orgledger/replay/org_fold_rungs.h"
#include "connection_gate.h"
#include "costly_pool.h"
#include "metrics.h"
#include "orgledger/api/server.h"
#include "rate_limiter.h"
#include "router.h"

namespace orgledger::api {

class Server::Impl {
  // Declared first, destroyed last: sessions still queued in `io` when it is destroyed report
  // their closing here.
  std::mutex mutex_;
  std::condition_variable changed_;
  std::size_t open_connections_ = 0;
  std::size_t subscribers_ = 0;
  std::unordered_map<std::string, std::size_t> subscribers_by_token_;
  std::size_t replies_pending_ = 0;
  std::mutex log_mutex_;
  bool stopped_ = false;

 public:
  Impl(const ServerOptions& options, const ServerParts& parts);

  std::expected<void, std::string> listen();
  void run();
  void stop(std::chrono::milliseconds grace);
  ~Impl();

  const ServerOptions options;
  Metrics metrics;
  RateLimiter refusal_limiter;
  AsOfCache as_of_cache;
  replay::OrgFoldRungs org_folds;
  Services services;
  RateLimiter rate_limiter;
  RateLimiter public_limiter;  // the routes without a token (/v1/tree/*), per client address
  ConnectionGate gate;  // outlives `io`: sessions still queued there leave the gate when destroyed
  boost::asio::io_context io;
  boost::asio::thread_pool workers;  // cost class org_history
  CostlyPool costly;                 // cost class whole_state
  std::optional<boost::asio::ssl::context> tls;  // HTTPS when options name a certificate and key
  std::atomic<bool> stopping{false};
  std::uint16_t bound_port = 0;

  // Every open connection registers here, so that stop() can wait for them and close idle ones.
  class Connection : public Evictable {
   public:
    virtual void close_if_idle() = 0;  // called from any thread
    virtual void cancel_costly() = 0;  // its whole-state work, if any, stops (any thread)
  };
  void connection_opened(std::weak_ptr<Connection> connection);
  void connection_closed();
  void cancel_costly_work();  // of every connection (stop, past its grace)

  // SSE subscribers run on threads of their own; stop() waits for them.
  enum class SubscriberRefusal { token_busy, full };
  // The slot of a subscriber of `token`: refused past max_subscribers_per_token (token_busy) or
  // max_subscribers, or when stopping (full).
  std::expected<void, SubscriberRefusal> subscriber_started(const std::string& token);
  void subscriber_ended(const std::string& token);

  void write_access_log(const std::string& line);

  // Handler replies under way (a command waits for its fsync): stop() waits for every one.
  void reply_started();
  void reply_finished();

 private:
  void accept();
  boost::asio::ip::tcp::acceptor acceptor_;
  boost::asio::steady_timer accept_retry_;
  // Keeps `io` running until stop() ends it: a TLS subscriber's writes and the closing of its
  // connection are posted there while nothing else may be pending.
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> keep_running_;
  std::vector<std::thread> threads_;
  std::vector<std::weak_ptr<Connection>> connections_;  // under mutex_
};

// Starts a connection's session on a freshly accepted socket, admitted by the gate with ticket
// `gate_id` (http_session.cc).
void start_session(Server::Impl& server, boost::asio::ip::tcp::socket socket, std::uint64_t gate_id);

}  // namespace orgledger::api
