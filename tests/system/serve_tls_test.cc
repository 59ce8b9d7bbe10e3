// `orgledger serve` and TLS (API.md): plain HTTP outside the loopback is refused unless
// --allow-plaintext, with exit code 2 and a message that says why and what to do; half a TLS pair
// is a usage error; with a certificate the real process serves HTTPS to a real TLS client.
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>

#include "http_client.h"
#include "temp_dir.h"
#include "tls_client.h"

using namespace orgledger::testing;
using namespace std::chrono_literals;

namespace {

// Runs the CLI through the shell with stderr folded into stdout.
std::string run_all_output(const std::string& arguments, int& exit_code) {
  FILE* pipe = popen((std::string(ORGLEDGER_CLI) + " " + arguments + " 2>&1").c_str(), "r");
  REQUIRE(pipe != nullptr);
  std::string out;
  char buffer[4096];
  while (std::size_t got = fread(buffer, 1, sizeof buffer, pipe)) out.append(buffer, got);
  const int status = pclose(pipe);
  exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return out;
}

}  // namespace

TEST_CASE("serve refuses plain HTTP outside the loopback without --allow-plaintext", "[serve][tls]") {
  TempDir dir;
  for (const char* listen : {"0.0.0.0:0", "[::]:0", "192.0.2.1:8080"}) {
    int code = 0;
    const auto out =
        run_all_output("serve --data " + dir.sub("data") + " --no-access-log --listen '" + listen + "'", code);
    INFO(listen << ": " << out);
    CHECK(code == 2);
    CHECK(out.find("refusing to serve plain HTTP") != std::string::npos);
    CHECK(out.find("--allow-plaintext") != std::string::npos);
  }
  int code = 0;
  const auto half = run_all_output("serve --data " + dir.sub("data") + " --tls-cert /nonexistent", code);
  CHECK(code == 2);
  CHECK(half.find("--tls-cert and --tls-key go together") != std::string::npos);
}

TEST_CASE("serve --tls-cert --tls-key serves HTTPS", "[serve][tls]") {
  TempDir dir;
  const auto certificate = make_self_signed_certificate(dir.path());
  REQUIRE(certificate);
  int out[2];
  REQUIRE(pipe(out) == 0);
  const pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(out[1], STDOUT_FILENO);
    close(out[0]);
    close(out[1]);
    const std::string data = dir.sub("data");
    execl(ORGLEDGER_CLI, ORGLEDGER_CLI, "serve", "--data", data.c_str(), "--listen", "127.0.0.1:0", "--no-access-log",
          "--tls-cert", certificate->certificate_file.c_str(), "--tls-key", certificate->key_file.c_str(),
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(out[1]);
  FILE* banner = fdopen(out[0], "r");
  std::uint16_t port = 0;
  char line[4096];
  // "orgledger serving DIR on https://127.0.0.1:PORT (…)"
  while (port == 0 && std::fgets(line, sizeof line, banner) != nullptr) {
    const std::string text(line);
    const auto at = text.find("https://127.0.0.1:");
    if (at != std::string::npos) port = static_cast<std::uint16_t>(std::stoi(text.substr(at + 18)));
  }
  CHECK(port != 0);
  bool ready = false;  // /healthz is 200 once the state is rebuilt: "orgledger ready: …"
  while (port != 0 && !ready && std::fgets(line, sizeof line, banner) != nullptr) {
    ready = std::string(line).starts_with("orgledger ready");
  }
  CHECK(ready);
  if (port != 0) {
    const auto health = tls_exchange(port, certificate->certificate_file,
                                     "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n", 10s);
    REQUIRE(health);
    CHECK(raw_status(*health) == 200);
  }
  kill(pid, SIGTERM);
  int status = 0;
  waitpid(pid, &status, 0);
  std::fclose(banner);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
