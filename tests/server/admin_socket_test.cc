// The admin socket of a running server: tokens are created through it; nothing sent to it ends
// the server.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstring>

#include "orgledger/api/admin_socket.h"
#include "orgledger/ledger/clock.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

std::string exchange(const std::string& path, const std::string& line) {
  const int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
  sockaddr_un address{};
  address.sun_family = AF_UNIX;
  std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
  REQUIRE(::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) == 0);
  REQUIRE(::send(fd, line.data(), line.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(line.size()));
  std::string answer;
  char buffer[1024];
  ssize_t got;
  while ((got = ::recv(fd, buffer, sizeof buffer, 0)) > 0) answer.append(buffer, static_cast<std::size_t>(got));
  ::close(fd);
  return answer;
}

}  // namespace

TEST_CASE("Admin socket: owner-only, creates tokens, answers malformed requests with an error") {
  TempDir dir;
  auto ledger = ledger::Ledger::open(dir.sub("data"));
  REQUIRE(ledger);
  auto tokens = api::TokenStore::open(**ledger);
  REQUIRE(tokens);
  const std::string path = api::admin_socket_path(dir.sub("data"));
  auto admin = api::AdminSocket::start(path, **tokens, ledger::system_clock());
  REQUIRE(admin);
  struct stat info {};
  REQUIRE(::stat(path.c_str(), &info) == 0);
  CHECK((info.st_mode & 0077) == 0);  // no access for group or others

  for (const std::string bad :
       {"{\"op\":1}\n", "[]\n", "not json\n", "{\"op\":\"create_token\",\"name\":7,\"scopes\":\"read\"}\n",
        "{\"op\":\"create_token\",\"name\":\"x\",\"scopes\":\"root\"}\n", "\xff\xfe\n", "\n"}) {
    INFO(bad);
    CHECK(exchange(path, bad).find("\"error\"") != std::string::npos);
  }
  auto created = api::create_token_via_server(path, "ops", "read,audit");
  REQUIRE(created);
  REQUIRE(*created);
  auto info_of = (*tokens)->authenticate(**created);
  REQUIRE(info_of);
  CHECK(info_of->name == "ops");
  CHECK(info_of->allows(api::Scope::audit));
  CHECK_FALSE(info_of->allows(api::Scope::write));
  // The name is taken now: the server's error comes back.
  auto again = api::create_token_via_server(path, "ops", "read");
  REQUIRE(again);
  CHECK_FALSE(*again);
  // No server there: nullopt (token create then opens the store itself).
  admin = std::unexpected(std::string());
  CHECK_FALSE(api::create_token_via_server(path, "late", "read"));
}
