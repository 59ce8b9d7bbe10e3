// The local administration channel of a running server: a Unix socket in the data directory,
// readable and writable by its owner alone (mode 0600). A running server holds the store, so
// `orgledger token create|list|revoke` asks the server through it; whoever may write the data
// directory may already do anything with it, so the file's permissions are the authority. The
// operator recorded by D5 is the peer's OS user (SO_PEERCRED), as on the command line.
//
// Protocol: one request line, one answer line, then the server closes; the requests and answers
// are those of token_requests.h.
#pragma once

#include <expected>
#include <memory>
#include <optional>
#include <string>
#include <thread>

#include <nlohmann/json_fwd.hpp>

#include "orgledger/api/token_store.h"
#include "orgledger/ledger/clock.h"

namespace orgledger::api {

// The socket's path for a data directory.
std::string admin_socket_path(const std::string& data_directory);

class AdminSocket {
 public:
  // Listens at `path` (replacing a stale socket left by a crash: the caller holds the store, so no
  // other server is there). The socket file is removed through `os` (ledger/env.h); binding and
  // listening are socket calls. `tokens`, `clock` and `os` must outlive it.
  static std::expected<std::unique_ptr<AdminSocket>, std::string> start(const std::string& path, TokenStore& tokens,
                                                                        const ledger::Clock& clock, ledger::Env& os);
  // Stops listening and removes the socket file.
  ~AdminSocket();

 private:
  AdminSocket(std::string path, int fd, TokenStore& tokens, const ledger::Clock& clock, ledger::Env& os);
  void serve();
  std::string answer_to(const std::optional<std::string>& line, const std::string& operator_principal);
  std::string path_;
  int fd_;
  TokenStore& tokens_;
  const ledger::Clock& clock_;
  ledger::Env& os_;
  std::thread thread_;
};

// Sends `request` to the server listening at `path`. nullopt when no server listens there; else
// its answer (a JSON object) or why none came.
std::optional<std::expected<nlohmann::json, std::string>> ask_admin_socket(const std::string& path,
                                                                           const nlohmann::json& request);

}  // namespace orgledger::api
