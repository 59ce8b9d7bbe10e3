#include "remote_server.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <cctype>
#include <chrono>
#include <cstdlib>
#include <limits>
#include <variant>

namespace orgledger::tools {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

constexpr auto kRequestTimeout = std::chrono::seconds(60);
// A live SSE answer sends a keep-alive comment every few seconds; silence this long means it is gone.
constexpr auto kStreamSilence = std::chrono::seconds(120);

struct Url {
  bool tls = false;
  std::string host;  // without the brackets of an IPv6 address
  std::string port;
  std::string prefix;  // "" or "/something", no trailing slash
  std::string host_header;
};

Url parse_url(const std::string& text) {
  Url url;
  std::string_view rest = text;
  if (rest.starts_with("https://")) {
    url.tls = true;
    rest.remove_prefix(8);
  } else if (rest.starts_with("http://")) {
    rest.remove_prefix(7);
  } else {
    throw UsageError("--server takes http://HOST[:PORT] or https://HOST[:PORT], not '" + text + "'");
  }
  const auto slash = rest.find('/');
  std::string_view authority = rest.substr(0, slash);
  std::string_view path = slash == std::string_view::npos ? std::string_view{} : rest.substr(slash);
  if (authority.empty() || authority.find('@') != std::string_view::npos || path.find_first_of("?#") != std::string_view::npos)
    throw UsageError("--server takes a scheme, a host, a port and a path prefix only, not '" + text + "'");
  url.host_header = std::string(authority);
  if (authority.front() == '[') {
    const auto close = authority.find(']');
    if (close == std::string_view::npos) throw UsageError("--server: unclosed '[' in '" + text + "'");
    url.host = std::string(authority.substr(1, close - 1));
    authority.remove_prefix(close + 1);
    if (!authority.empty() && authority.front() != ':') throw UsageError("--server: bad port in '" + text + "'");
    if (!authority.empty()) url.port = std::string(authority.substr(1));
  } else {
    const auto colon = authority.find(':');
    url.host = std::string(authority.substr(0, colon));
    if (colon != std::string_view::npos) url.port = std::string(authority.substr(colon + 1));
  }
  if (url.port.empty()) url.port = url.tls ? "443" : "80";
  if (url.host.empty() || url.port.find_first_not_of("0123456789") != std::string::npos || url.port.size() > 5)
    throw UsageError("--server: bad host or port in '" + text + "'");
  while (path.ends_with('/')) path.remove_suffix(1);
  url.prefix = std::string(path);
  return url;
}

using PlainStream = beast::tcp_stream;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

}  // namespace

struct RemoteServer::Connection {
  std::string text;  // the URL as given
  Url url;
  std::string token;
  std::optional<net::ssl::context> tls;
  net::io_context io;
  std::variant<std::monostate, PlainStream, TlsStream> stream;
  beast::flat_buffer buffer;

  tcp::socket& socket() {
    if (auto* plain = std::get_if<PlainStream>(&stream)) return plain->socket();
    return std::get<TlsStream>(stream).next_layer().socket();
  }
  beast::tcp_stream& transport() {
    if (auto* plain = std::get_if<PlainStream>(&stream)) return *plain;
    return std::get<TlsStream>(stream).next_layer();
  }
  bool open() const { return !std::holds_alternative<std::monostate>(stream); }
  void close() {
    if (!open()) return;
    beast::error_code ignored;
    socket().shutdown(tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
    stream.emplace<std::monostate>();
    buffer.clear();
  }

  std::expected<void, std::string> connect() {
    close();
    beast::error_code error;
    tcp::resolver resolver(io);
    const auto addresses = resolver.resolve(url.host, url.port, error);
    if (error) return fail("cannot resolve " + url.host, error);
    if (!tls) {
      auto& plain = stream.emplace<PlainStream>(io);
      plain.expires_after(kRequestTimeout);
      plain.connect(addresses, error);
      if (error) return fail("cannot connect", error);
      return {};
    }
    auto& secure = stream.emplace<TlsStream>(io, *tls);
    if (auto named = verify_name(secure.native_handle()); !named) return named;
    secure.next_layer().expires_after(kRequestTimeout);
    secure.next_layer().connect(addresses, error);
    if (error) return fail("cannot connect", error);
    secure.handshake(net::ssl::stream_base::client, error);
    if (error) return fail("TLS handshake failed", error);
    return {};
  }

  // SNI, and the certificate must name the host (a DNS name, or an IP address for a literal one).
  std::expected<void, std::string> verify_name(SSL* ssl) const {
    beast::error_code not_an_address;
    net::ip::make_address(url.host, not_an_address);
    if (not_an_address) {
      if (SSL_set_tlsext_host_name(ssl, url.host.c_str()) != 1 || SSL_set1_host(ssl, url.host.c_str()) != 1)
        return std::unexpected("cannot set the TLS host name " + url.host);
    } else if (X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), url.host.c_str()) != 1) {
      return std::unexpected("cannot set the TLS address " + url.host);
    }
    return {};
  }

  std::unexpected<std::string> fail(const std::string& what, const beast::error_code& error) const {
    return std::unexpected(what + " (" + text + "): " + error.message());
  }

  http::request<http::string_body> request(http::verb method, std::string_view target, std::string body) const {
    http::request<http::string_body> out{method, url.prefix + std::string(target), 11};
    out.set(http::field::host, url.host_header);
    out.set(http::field::user_agent, "orgledger-cli");
    if (!token.empty()) out.set(http::field::authorization, "Bearer " + token);
    if (method == http::verb::post) {
      out.set(http::field::content_type, "application/json");
      out.body() = std::move(body);
    }
    out.prepare_payload();
    return out;
  }

  template <class Action>
  auto on_stream(Action&& action) {
    if (auto* plain = std::get_if<PlainStream>(&stream)) return action(*plain);
    return action(std::get<TlsStream>(stream));
  }

  // Sends `request` on the open connection and reads the whole answer.
  std::expected<RemoteReply, beast::error_code> exchange_once(const http::request<http::string_body>& request) {
    beast::error_code error;
    transport().expires_after(kRequestTimeout);
    on_stream([&](auto& s) { http::write(s, request, error); });
    if (error) return std::unexpected(error);
    http::response_parser<http::string_body> parser;
    parser.body_limit(std::numeric_limits<std::uint64_t>::max());  // a page of events is bounded by the server
    on_stream([&](auto& s) { http::read(s, buffer, parser, error); });
    if (error) return std::unexpected(error);
    auto& response = parser.get();
    RemoteReply reply{static_cast<int>(response.result_int()), std::string(response[http::field::content_type]),
                      std::move(response.body()), std::nullopt};
    if (const auto wait = response[http::field::retry_after]; !wait.empty() && wait.size() < 6 &&
                                                              wait.find_first_not_of("0123456789") == std::string_view::npos) {
      reply.retry_after = std::stoi(std::string(wait));
    }
    if (!parser.keep_alive()) close();
    return reply;
  }

  std::expected<RemoteReply, std::string> exchange(const http::request<http::string_body>& request) {
    const bool reused = open();
    if (!reused) {
      if (auto connected = connect(); !connected) return std::unexpected(connected.error());
    }
    auto reply = exchange_once(request);
    // A kept-alive connection may have been closed by the server meanwhile (idle timeout): once
    // more on a new one. Commands are safe to resend: each carries its command id (submit sets one).
    if (!reply && reused) {
      if (auto connected = connect(); !connected) return std::unexpected(connected.error());
      reply = exchange_once(request);
    }
    if (!reply) {
      const auto error = reply.error();
      close();
      return fail("the request failed", error);
    }
    return std::move(*reply);
  }
};

std::optional<RemoteServer> RemoteServer::from_args(const CliArgs& args) {
  std::optional<std::string> text = args.value("server");
  if (text && args.value("data")) throw UsageError("--server and --data exclude each other");
  if (!text && !args.value("data")) {
    if (const char* env = std::getenv("ORGLEDGER_SERVER"); env != nullptr && *env != '\0') text = env;
  }
  if (!text) {
    if (args.value("cacert")) throw UsageError("--cacert goes with --server (or $ORGLEDGER_SERVER)");
    return std::nullopt;
  }
  auto connection = std::make_unique<Connection>();
  connection->text = *text;
  connection->url = parse_url(*text);
  if (const char* token = std::getenv("ORGLEDGER_TOKEN"); token != nullptr) connection->token = token;
  if (connection->url.tls) {
    auto& tls = connection->tls.emplace(net::ssl::context::tls_client);
    tls.set_options(net::ssl::context::default_workarounds | net::ssl::context::no_sslv2 |
                    net::ssl::context::no_sslv3 | net::ssl::context::no_tlsv1 | net::ssl::context::no_tlsv1_1);
    tls.set_verify_mode(net::ssl::verify_peer);
    beast::error_code error;
    if (auto file = args.value("cacert")) {
      tls.load_verify_file(*file, error);
      if (error) throw UsageError("--cacert " + *file + ": " + error.message());
    } else {
      tls.set_default_verify_paths(error);
      if (error) throw UsageError("cannot load the system's trusted certificates: " + error.message());
    }
  } else if (args.value("cacert")) {
    throw UsageError("--cacert goes with an https:// server");
  }
  return RemoteServer(std::move(connection));
}

RemoteServer::RemoteServer(std::unique_ptr<Connection> connection) : connection_(std::move(connection)) {}
RemoteServer::RemoteServer(RemoteServer&&) noexcept = default;
RemoteServer& RemoteServer::operator=(RemoteServer&&) noexcept = default;
RemoteServer::~RemoteServer() {
  if (connection_) connection_->close();
}

const std::string& RemoteServer::url() const { return connection_->text; }

std::expected<RemoteReply, std::string> RemoteServer::get(std::string_view target) {
  return connection_->exchange(connection_->request(http::verb::get, target, {}));
}

std::expected<RemoteReply, std::string> RemoteServer::post(std::string_view target, const std::string& json_body) {
  return connection_->exchange(connection_->request(http::verb::post, target, json_body));
}

std::expected<int, std::string> RemoteServer::stream(std::string_view target,
                                                     const std::function<bool(std::string_view)>& on_data,
                                                     std::string& error_body) {
  auto& c = *connection_;
  // A stream ends its connection: always on a fresh one, closed after.
  if (auto connected = c.connect(); !connected) return std::unexpected(connected.error());
  auto request = c.request(http::verb::get, target, {});
  request.set(http::field::accept, "text/event-stream");
  beast::error_code error;
  c.on_stream([&](auto& s) { http::write(s, request, error); });
  if (error) return c.fail("the request failed", error);
  http::response_parser<http::buffer_body> parser;
  parser.body_limit(std::numeric_limits<std::uint64_t>::max());
  c.on_stream([&](auto& s) { http::read_header(s, c.buffer, parser, error); });
  if (error) return c.fail("the request failed", error);
  const int status = static_cast<int>(parser.get().result_int());
  char chunk[16384];
  while (!parser.is_done()) {
    parser.get().body().data = chunk;
    parser.get().body().size = sizeof chunk;
    c.transport().expires_after(kStreamSilence);
    // read_some: whatever has arrived (read() would wait for a full buffer: a live stream never fills it).
    c.on_stream([&](auto& s) { http::read_some(s, c.buffer, parser, error); });
    if (error == http::error::need_buffer) error = {};
    if (error) break;
    const std::string_view got(chunk, sizeof chunk - parser.get().body().size);
    if (status != 200) {
      error_body.append(got);
    } else if (!got.empty() && !on_data(got)) {
      break;
    }
  }
  c.close();
  if (error && error != http::error::end_of_stream && error != net::error::eof && status == 200)
    return c.fail("the stream ended", error);
  return status;
}

std::string url_encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (const unsigned char c : text) {
    if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace orgledger::tools
