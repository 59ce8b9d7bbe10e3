// The admin socket of a running server: tokens are created through it; nothing sent to it ends
// the server.
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstring>

#include "orgledger/api/admin_socket.h"
#include "orgledger/api/token_requests.h"
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
  auto admin = api::AdminSocket::start(path, **tokens, ledger::system_clock(), (*ledger)->env());
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
  auto create = [&](const char* name, const char* scopes) {
    return api::ask_admin_socket(path, nlohmann::json{{"op", "create_token"}, {"name", name}, {"scopes", scopes}});
  };
  auto created = create("ops", "read,audit");
  REQUIRE(created);
  REQUIRE(*created);
  REQUIRE((**created).contains("token"));
  auto info_of = (*tokens)->authenticate((**created)["token"].get<std::string>(), ledger::system_clock().now());
  REQUIRE(info_of);
  CHECK(info_of->name == "ops");
  CHECK(info_of->principal == "svc:ops");  // D4's defaults
  CHECK(info_of->act_as == std::vector<std::string>{"svc:ops"});
  CHECK(info_of->allows(api::Scope::audit));
  CHECK_FALSE(info_of->allows(api::Scope::write));
  // D5: the operator is the peer's OS user, recorded as actor and via of TokenCreated.
  auto record = (*ledger)->read_stream("token:ops", 1, 10).value();
  REQUIRE(record.size() == 1);
  CHECK(record[0].type_name() == "TokenCreated");
  CHECK(record[0].actor() == api::local_principal());
  CHECK(record[0].via()->principal == api::local_principal());
  // The name is taken now: the server's error comes back.
  auto again = create("ops", "read");
  REQUIRE(again);
  REQUIRE(*again);
  CHECK((**again)["code"] == "already_exists");
  // No server there: nullopt (token create then opens the store itself).
  admin = std::unexpected(std::string());
  CHECK_FALSE(create("late", "read"));
}
