// The local administration channel of a running server: a Unix socket in the data directory,
// readable and writable by its owner alone (mode 0600). A running server holds the store, so
// `orgledger token create` asks the server through it to create the token; whoever may write the
// data directory may already do anything with it, so the file's permissions are the authority.
//
// Protocol: one request line, one answer line, then the server closes:
//   request := {"op": "create_token", "name": string, "scopes": "a,b"}
//   answer  := {"token": string, "name": string, "scopes": [string…]} | {"error": string}
#pragma once

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include "orgledger/api/token_store.h"
#include "orgledger/ledger/clock.h"

namespace orgledger::api {

// The socket's path for a data directory.
std::string admin_socket_path(const std::string& data_directory);

class AdminSocket {
 public:
  // Listens at `path` (replacing a stale socket left by a crash: the caller holds the store, so no
  // other server is there). `tokens` and `clock` must outlive it.
  static std::expected<std::unique_ptr<AdminSocket>, std::string> start(const std::string& path, TokenStore& tokens,
                                                                        const ledger::Clock& clock);
  // Stops listening and removes the socket file.
  ~AdminSocket();

 private:
  AdminSocket(std::string path, int fd, TokenStore& tokens, const ledger::Clock& clock);
  void serve();
  std::string answer_to(const std::optional<std::string>& line);
  std::string path_;
  int fd_;
  TokenStore& tokens_;
  const ledger::Clock& clock_;
  std::thread thread_;
};

// Asks the server listening at `path` to create a token. nullopt when no server listens there;
// else the token or the server's error.
std::optional<std::expected<std::string, std::string>> create_token_via_server(const std::string& path,
                                                                               const std::string& name,
                                                                               const std::string& scopes);

}  // namespace orgledger::api
