// The listener and the server's life: bind, accept (with the connection cap), graceful stop.
#include "server_impl.h"

#include <boost/asio/post.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>

namespace orgledger::api {

namespace net = boost::asio;
using tcp = net::ip::tcp;

Server::Impl::Impl(const ServerOptions& options_in, const ServerParts& parts)
    : options(options_in),
      refusal_limiter(options_in.refusal_limit_per_minute),
      as_of_cache(options_in.as_of_cache_entries),
      org_folds(replay::OrgFoldRungs::Options{}),
      services{parts.ledger, parts.processor, parts.tokens,    parts.calendar,
               parts.clock,  metrics,         refusal_limiter, options_in.body_limit, options_in.data_directory},
      rate_limiter(options_in.rate_limit_per_minute),
      public_limiter(options_in.public_rate_limit_per_minute),
      gate({options_in.max_connections, options_in.max_connections_per_address, options_in.reserved_connections}),
      io(static_cast<int>(std::max<std::size_t>(1, options_in.io_threads))),
      workers(std::max<std::size_t>(1, options_in.worker_threads)),
      costly({options_in.costly_threads, options_in.costly_queue, options_in.costly_per_token}),
      acceptor_(net::make_strand(io)),
      accept_retry_(acceptor_.get_executor()) {
  services.as_of_cache = &as_of_cache;
  services.org_folds = &org_folds;
  services.checkpoints = parts.checkpoints;
  services.cluster = parts.cluster;
  services.costly = &costly;
  services.vault = parts.vault;
  services.command_ids = std::make_unique<commands::CommandIds>(parts.clock.now(), parts.ledger.env().random());
}

Server::Impl::~Impl() { stop(std::chrono::milliseconds(0)); }

std::expected<void, std::string> Server::Impl::listen() {
  boost::system::error_code error;
  if (!options.tls_certificate_file.empty() || !options.tls_key_file.empty()) {
    // TLS 1.2 at least (API.md, TLS); the certificate chain and key from PEM files.
    tls.emplace(net::ssl::context::tls_server);
    tls->set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                         net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1 |
                         net::ssl::context::single_dh_use,
                     error);
    if (!error) tls->use_certificate_chain_file(options.tls_certificate_file, error);
    if (error) return std::unexpected("cannot load the TLS certificate '" + options.tls_certificate_file + "': " + error.message());
    tls->use_private_key_file(options.tls_key_file, net::ssl::context::pem, error);
    if (error) return std::unexpected("cannot load the TLS key '" + options.tls_key_file + "': " + error.message());
  }
  const auto address = net::ip::make_address(options.host, error);
  if (error) return std::unexpected("bad listen address '" + options.host + "': " + error.message());
  const tcp::endpoint endpoint(address, options.port);
  acceptor_.open(endpoint.protocol(), error);
  if (!error) acceptor_.set_option(net::socket_base::reuse_address(true), error);
  if (!error) acceptor_.bind(endpoint, error);
  if (!error) acceptor_.listen(net::socket_base::max_listen_connections, error);
  if (error) {
    return std::unexpected("cannot listen on " + options.host + ":" + std::to_string(options.port) + ": " +
                           error.message());
  }
  bound_port = acceptor_.local_endpoint().port();
  return {};
}

void Server::Impl::run() {
  keep_running_.emplace(io.get_executor());
  accept();
  for (std::size_t i = 0; i < std::max<std::size_t>(1, options.io_threads); ++i) {
    threads_.emplace_back([this] { io.run(); });
  }
}

namespace {

void refuse_connection(tcp::socket& socket, const std::string& why) {
  const std::string body =
      R"({"status":503,"code":"unavailable","title":"Unavailable","detail":")" + why + R"(","rule":""})";
  const std::string busy =
      "HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/problem+json\r\nRetry-After: 1\r\n"
      "Connection: close\r\nContent-Length: " +
      std::to_string(body.size()) + "\r\n\r\n" + body;
  boost::system::error_code ignored;
  net::write(socket, net::buffer(busy), ignored);
  socket.shutdown(tcp::socket::shutdown_both, ignored);
  socket.close(ignored);
}

}  // namespace

void Server::Impl::accept() {
  acceptor_.async_accept(net::make_strand(io), [this](boost::system::error_code error, tcp::socket socket) {
    if (error == net::error::operation_aborted || stopping.load()) return;
    if (error) {
      // Out of file descriptors (or another passing failure): retry a little later rather than
      // spin on a failing accept.
      accept_retry_.expires_after(std::chrono::milliseconds(100));
      accept_retry_.async_wait([this](boost::system::error_code waited) {
        if (!waited && !stopping.load()) accept();
      });
      return;
    }
    boost::system::error_code unknown;
    const auto remote = socket.remote_endpoint(unknown);
    auto admitted = gate.admit(unknown ? std::string("?") : remote.address().to_string());
    if (!admitted) {
      // The caps: one short answer, then the door closes (a blocking write of a few bytes).
      const bool per_address = admitted.error() == ConnectionGate::Refusal::per_address;
      metrics.connection_refused(per_address);
      refuse_connection(socket, per_address ? "too many connections from this address" : "too many connections");
    } else {
      if (admitted->evict) {
        metrics.connection_evicted();
        admitted->evict->evict();
      }
      start_session(*this, std::move(socket), admitted->id);
    }
    accept();
  });
}

void Server::Impl::connection_opened(std::weak_ptr<Connection> connection) {
  std::lock_guard lock(mutex_);
  ++open_connections_;
  // Forget the connections that are gone, so the list stays as long as the open ones.
  std::erase_if(connections_, [](const auto& weak) { return weak.expired(); });
  connections_.push_back(std::move(connection));
  metrics.connection_opened();
}

void Server::Impl::cancel_costly_work() {
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(mutex_);
    for (auto& weak : connections_) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
  }
  for (auto& connection : open) connection->cancel_costly();
}

void Server::Impl::connection_closed() {
  std::lock_guard lock(mutex_);
  --open_connections_;
  metrics.connection_closed();
  changed_.notify_all();
}

std::expected<void, Server::Impl::SubscriberRefusal> Server::Impl::subscriber_started(const std::string& token) {
  std::lock_guard lock(mutex_);
  if (subscribers_ >= options.max_subscribers || stopping.load()) return std::unexpected(SubscriberRefusal::full);
  auto& of_token = subscribers_by_token_[token];
  if (of_token >= std::max<std::size_t>(1, options.max_subscribers_per_token))
    return std::unexpected(SubscriberRefusal::token_busy);
  ++of_token;
  ++subscribers_;
  metrics.subscriber_added();
  return {};
}

void Server::Impl::subscriber_ended(const std::string& token) {
  std::lock_guard lock(mutex_);
  if (auto it = subscribers_by_token_.find(token); it != subscribers_by_token_.end() && --it->second == 0)
    subscribers_by_token_.erase(it);
  --subscribers_;
  metrics.subscriber_removed();
  changed_.notify_all();
}

void Server::Impl::reply_started() {
  std::lock_guard lock(mutex_);
  ++replies_pending_;
}

void Server::Impl::reply_finished() {
  std::lock_guard lock(mutex_);
  --replies_pending_;
  changed_.notify_all();
}

void Server::Impl::write_access_log(const std::string& line) {
  if (options.access_log == nullptr) return;
  std::lock_guard lock(log_mutex_);
  std::fwrite(line.data(), 1, line.size(), options.access_log);
  std::fputc('\n', options.access_log);
  std::fflush(options.access_log);
}

void Server::Impl::stop(std::chrono::milliseconds grace) {
  {
    std::lock_guard lock(mutex_);
    if (stopped_) return;
    stopped_ = true;
  }
  stopping.store(true);
  services.ledger.set_group_observer(nullptr);  // waits for the group being written
  // No new connection; the acceptor belongs to its strand.
  net::post(acceptor_.get_executor(), [this] {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
    accept_retry_.cancel();
  });
  std::vector<std::shared_ptr<Connection>> open;
  {
    std::lock_guard lock(mutex_);
    for (auto& weak : connections_) {
      if (auto connection = weak.lock()) open.push_back(std::move(connection));
    }
  }
  for (auto& connection : open) connection->close_if_idle();
  open.clear();
  // The requests in flight finish and are answered; subscriptions see `stopping` and end.
  {
    std::unique_lock lock(mutex_);
    changed_.wait_for(lock, grace, [this] { return open_connections_ == 0 && subscribers_ == 0; });
  }
  // Past the grace, whole-state work still queued or running is cancelled: it answers at once.
  cancel_costly_work();
  {
    std::unique_lock lock(mutex_);
    // Past the grace, still never before every reply under way is handed over (the processor
    // answers every command) and every subscriber has left (within its send time-out).
    changed_.wait(lock, [this] { return replies_pending_ == 0 && subscribers_ == 0; });
  }
  keep_running_.reset();
  io.stop();
  for (auto& thread : threads_) thread.join();
  threads_.clear();
  workers.join();
  costly.join();
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Server::~Server() { impl_->stop(std::chrono::milliseconds(10'000)); }

std::expected<std::unique_ptr<Server>, std::string> Server::start(const ServerOptions& options,
                                                                  const ServerParts& parts) {
  if (parts.processor == nullptr && parts.vault == nullptr) {
    return std::unexpected(std::string("a server started before its processor needs the vault (G3)"));
  }
  auto impl = std::make_unique<Impl>(options, parts);
  if (auto listening = impl->listen(); !listening) return std::unexpected(listening.error());
  parts.ledger.set_group_observer(&impl->metrics);
  impl->run();
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

std::uint16_t Server::port() const { return impl_->bound_port; }

void Server::ready(commands::CommandProcessor& processor) {
  impl_->services.ready_processor.store(&processor, std::memory_order_release);
}

void Server::stop(std::chrono::milliseconds grace) { impl_->stop(grace); }

}  // namespace orgledger::api
