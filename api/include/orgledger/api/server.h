// The HTTP API of API.md on Boost.Beast: routing, bearer tokens and scopes, problem+json, SSE,
// metrics, limits. Beast stays inside api/src; this header is all a caller sees.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <expected>
#include <memory>
#include <string>

#include "orgledger/api/token_store.h"
#include "orgledger/commands/processor.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/projections/business_calendar.h"

namespace orgledger::ledger {
class Checkpointer;
}

namespace orgledger::api {

struct ServerOptions {
  std::string host = "127.0.0.1";
  std::uint16_t port = 8080;  // 0: an ephemeral port (see Server::port)
  std::size_t io_threads = 2;
  std::size_t worker_threads = 2;  // one organization's history: its as-of folds, access history
  // Whole-state work (a global as_of, verify, event scans): threads of its own, a bounded queue
  // (full: 503 unavailable), and at most costly_per_token queued or running per token (past it:
  // 429 rate_limited). A client that leaves cancels its queued or running work.
  std::size_t costly_threads = 1;
  std::size_t costly_queue = 8;
  std::size_t costly_per_token = 2;
  std::chrono::milliseconds costly_refusal_pace{500};  // a 429/503 of costly work is sent this late
  std::size_t as_of_cache_entries = 4;  // whole past states kept for repeated global as-of questions
  std::size_t max_connections = 1024;
  std::size_t max_connections_per_address = 64;
  // Connections that have not authenticated may hold at most max_connections − this many; past
  // that the oldest of them is closed for a newcomer.
  std::size_t reserved_connections = 128;
  std::size_t max_subscribers = 256;           // SSE connections (each holds a thread)
  std::size_t max_subscribers_per_token = 8;   // past it: 429 rate_limited
  std::size_t body_limit = 1 << 20;   // API.md: over 1 MiB is payload_too_large
  std::size_t document_body_limit = 6 << 20;  // K2: SubmitIdentityDocuments alone may reach 6 MiB
  std::size_t header_limit = 16 * 1024;
  std::chrono::milliseconds header_timeout{5'000};     // to receive a request's headers (before any token is known)
  std::chrono::milliseconds request_timeout{10'000};   // to receive a request's body once its headers came
  std::chrono::milliseconds idle_timeout{60'000};      // a keep-alive connection with no request
  std::chrono::milliseconds sse_keepalive{15'000};     // a comment line to keep proxies and clients awake
  std::chrono::milliseconds sse_send_timeout{10'000};  // a subscriber that takes no bytes this long is cut off
  std::uint32_t rate_limit_per_minute = 0;             // per token; 0 is off
  // The public tree routes (no token), per client address (an IPv6 /64); 0 is off.
  std::uint32_t public_rate_limit_per_minute = 600;
  // D2: refused commands of a token without `write` recorded per token and minute; beyond, 429
  // with no entry (so no token can fill the log). At least 1.
  std::uint32_t refusal_limit_per_minute = 60;
  std::FILE* access_log = stderr;                      // one JSON line per request; null: none
  std::string data_directory;                          // of `ledger` (GET /v1/verify reopens it read-only)
  // HTTPS (API.md, TLS): PEM files of the certificate (chain) and its private key; both empty:
  // plain HTTP. Server::start fails when they cannot be loaded.
  std::string tls_certificate_file;
  std::string tls_key_file;
};

// Issue 18: where this node stands in a cluster (cluster/ implements it in tools/). Thread-safe.
class ClusterRole {
 public:
  virtual ~ClusterRole() = default;
  virtual bool is_writer() const = 0;
  // The writer's base URL (http://host:port), "" when no writer is known.
  virtual std::string writer_url() const = 0;
  // Positions this node is behind the replicated log's last group.
  virtual std::uint64_t lag() const = 0;
};

// What the server serves; all must outlive it.
struct ServerParts {
  ledger::Ledger& ledger;
  // Null while the processor still rebuilds its state (issue 15: `serve` answers before; hand it
  // over with Server::ready). Meanwhile questions the log alone answers are answered — one
  // organization, report, case or order (folds of their streams, at the head too), events, the
  // tree, verify, a global as-of — and commands and whole live states get 503 unavailable.
  commands::CommandProcessor* processor;
  TokenStore& tokens;
  const projections::BusinessCalendar& calendar;
  const ledger::Clock& clock;
  const ledger::Checkpointer* checkpoints = nullptr;  // serves /v1/tree/checkpoint and public-key; null: 404
  vault::Vault* vault = nullptr;  // opens personal data (G3) until the processor is ready; needed without one
  // Null: a single node. Else commands on a replica are answered 307 with the writer's address
  // (503 while none is known), and /metrics says the node's lag.
  const ClusterRole* cluster = nullptr;
};

class Server {
 public:
  // Binds and starts serving on its own threads. Errors: the address cannot be bound.
  static std::expected<std::unique_ptr<Server>, std::string> start(const ServerOptions& options,
                                                                   const ServerParts& parts);
  // stop(), then waits for the threads.
  ~Server();

  // The bound port (the ephemeral one when options.port was 0).
  std::uint16_t port() const;

  // Hands over the processor of a server started without one, once its state is rebuilt: from
  // then on commands are taken and live questions answered from its state. Once; thread-safe.
  void ready(commands::CommandProcessor& processor);

  // Graceful: stops accepting, lets the requests in flight finish and be answered (waiting at
  // most `grace`), ends subscriptions, closes idle connections. Idempotent; thread-safe.
  void stop(std::chrono::milliseconds grace = std::chrono::milliseconds(10'000));

  class Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace orgledger::api
