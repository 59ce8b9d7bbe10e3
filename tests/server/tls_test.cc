// HTTPS (API.md, TLS; issue 11): with a certificate and key the server speaks TLS only — a real
// OpenSSL client that trusts the self-signed certificate made here is answered, commands and
// Server-Sent Events included; plain HTTP to the same port gets no HTTP answer.
#include <catch2/catch.hpp>

#include "http_client.h"
#include "orgledger/ledger/clock.h"
#include "temp_dir.h"
#include "test_server.h"
#include "tls_client.h"

namespace orgledger::testing {
namespace {

using namespace std::chrono_literals;

std::string request(const std::string& method, const std::string& target, const std::string& token,
                    const std::string& body = "") {
  std::string out = method + " " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
  if (!token.empty()) out += "Authorization: Bearer " + token + "\r\n";
  if (!body.empty())
    out += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return out + "\r\n" + body;
}

TEST_CASE("HTTPS: a TLS client is answered, plain HTTP to the TLS port is not", "[tls]") {
  TempDir dir;
  const auto certificate = make_self_signed_certificate(dir.path());
  REQUIRE(certificate);
  auto options = TestServer::quiet_options();
  options.tls_certificate_file = certificate->certificate_file;
  options.tls_key_file = certificate->key_file;
  TestServer server(options);
  const auto& admin = server.token("admin");

  const auto health = tls_exchange(server.port(), certificate->certificate_file, request("GET", "/healthz", ""), 10s);
  REQUIRE(health);
  CHECK(raw_status(*health) == 200);

  const auto command = tls_exchange(
      server.port(), certificate->certificate_file,
      request("POST", "/v1/commands", admin,
              R"({"type":"RegisterUser","actor":"svc:signup","user":"tina","login":"tina@example.ch"})"),
      10s);
  REQUIRE(command);
  CHECK(raw_status(*command) == 200);

  const auto events =
      tls_exchange(server.port(), certificate->certificate_file, request("GET", "/v1/events?limit=10", admin), 10s);
  REQUIRE(events);
  REQUIRE(raw_status(*events) == 200);
  CHECK(raw_body(*events).find("\"tina\"") != std::string::npos);

  // Server-Sent Events over TLS: the first event arrives, framed as over plain HTTP.
  const auto stream = tls_exchange(server.port(), certificate->certificate_file,
                                   request("GET", "/v1/events/subscribe?from=1", admin), 10s, "\"tina\"");
  REQUIRE(stream);
  CHECK(raw_status(*stream) == 200);
  CHECK(stream->find("\nevent: UserRegistered\ndata: {") != std::string::npos);
  CHECK(stream->find("\"tina\"") != std::string::npos);

  // Plain HTTP to the TLS port: the handshake fails and no HTTP answer comes.
  const auto plain = raw_exchange(server.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", 5s);
  CHECK(raw_status(plain) == 0);
}

TEST_CASE("HTTPS: a certificate that cannot be loaded stops the server from starting", "[tls]") {
  TempDir dir;
  auto options = TestServer::quiet_options();
  options.tls_certificate_file = dir.sub("missing") + "/cert.pem";
  options.tls_key_file = dir.sub("missing") + "/key.pem";
  auto ledger = ledger::Ledger::open(dir.sub("data"));
  REQUIRE(ledger);
  auto processor = commands::CommandProcessor::start(**ledger, ledger::system_clock());
  REQUIRE(processor);
  auto tokens = api::TokenStore::open(**ledger);
  REQUIRE(tokens);
  auto started = api::Server::start(
      options, {**ledger, processor->get(), **tokens, projections::BusinessCalendar::geneva(), ledger::system_clock()});
  REQUIRE(!started);
  CHECK(started.error().find("TLS certificate") != std::string::npos);
}

}  // namespace
}  // namespace orgledger::testing
