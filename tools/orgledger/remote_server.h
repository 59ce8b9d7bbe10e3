// The command line against a running server (API.md: `--server URL`, else $ORGLEDGER_SERVER, with
// the token in $ORGLEDGER_TOKEN): one HTTP/1.1 keep-alive connection, plain or TLS. TLS verifies the
// server's certificate and name against the system's trust store, or against `--cacert FILE`.
#pragma once

#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "cli_args.h"

namespace orgledger::tools {

// The options every remote-capable subcommand takes besides its own (valued).
inline const std::set<std::string> kRemoteOptions{"server", "cacert"};

// A server's answer, whole.
struct RemoteReply {
  int status = 0;
  std::string content_type;
  std::string body;
  std::optional<int> retry_after;  // seconds, from a Retry-After header (429, 503)
};

class RemoteServer {
 public:
  // The server named by --server, else by $ORGLEDGER_SERVER unless --data was given (a flag beats
  // the environment); nullopt when neither names one. Throws UsageError for a URL that is not
  // http://HOST[:PORT][/PREFIX] or https://…, for --server beside --data, and for --cacert alone.
  static std::optional<RemoteServer> from_args(const CliArgs& args);

  RemoteServer(RemoteServer&&) noexcept;
  RemoteServer& operator=(RemoteServer&&) noexcept;
  ~RemoteServer();

  // One request; `target` is the path and query under the URL's prefix ("/v1/check?org=a…"). A
  // keep-alive connection the server closed meanwhile is reopened once. Errors (resolution,
  // connection, TLS verification, a malformed answer) come back as a sentence.
  std::expected<RemoteReply, std::string> get(std::string_view target);
  std::expected<RemoteReply, std::string> post(std::string_view target, const std::string& json_body);

  // GET `target` and hand the body to `on_data` piece by piece as it arrives, until `on_data`
  // returns false or the server ends the answer. Returns the status; a status other than 200 has
  // its whole body in `error_body`.
  std::expected<int, std::string> stream(std::string_view target, const std::function<bool(std::string_view)>& on_data,
                                         std::string& error_body);

  // The URL as given, for messages.
  const std::string& url() const;

 private:
  struct Connection;
  explicit RemoteServer(std::unique_ptr<Connection> connection);
  std::unique_ptr<Connection> connection_;
};

// Percent-encodes a query value or path segment (RFC 3986 unreserved characters stay as they are).
std::string url_encode(std::string_view text);

}  // namespace orgledger::tools
