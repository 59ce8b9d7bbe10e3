// A child `orgledger serve` on an ephemeral loopback port, for the system tests: started from
// the real binary, stopped with a signal.
#pragma once

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdio>
#include <string>
#include <vector>

namespace orgledger::testing {

// A child `orgledger serve` with its stdout on a pipe.
class ServeProcess {
 public:
  // `extra`: more options after the defaults (a snapshot every 10 events, no access log).
  explicit ServeProcess(const std::string& data, std::vector<std::string> extra = {}) {
    int out[2];
    REQUIRE(pipe(out) == 0);
    pid_ = fork();
    REQUIRE(pid_ >= 0);
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      close(out[0]);
      close(out[1]);
      // A snapshot every 10 events: the SIGKILL test restarts from one.
      std::vector<std::string> words{ORGLEDGER_CLI, "serve", "--data", data, "--listen", "127.0.0.1:0",
                                     "--no-access-log", "--snapshot-every", "10"};
      words.insert(words.end(), extra.begin(), extra.end());
      std::vector<char*> argv;
      for (auto& word : words) argv.push_back(word.data());
      argv.push_back(nullptr);
      execv(ORGLEDGER_CLI, argv.data());
      _exit(127);
    }
    close(out[1]);
    stdout_ = fdopen(out[0], "r");
    char line[4096];
    // "orgledger serving DIR on http://127.0.0.1:PORT (…)", or https://
    while (port_ == 0 && std::fgets(line, sizeof line, stdout_) != nullptr) {
      const std::string text(line);
      const std::string marker = "://127.0.0.1:";
      const auto at = text.find(marker);
      if (at != std::string::npos) port_ = static_cast<std::uint16_t>(std::stoi(text.substr(at + marker.size())));
    }
    REQUIRE(port_ != 0);
    // It answers from here on, but takes commands once its state is rebuilt: "orgledger ready: …".
    bool ready = false;
    while (!ready && std::fgets(line, sizeof line, stdout_) != nullptr) ready = std::string(line).starts_with("orgledger ready");
    REQUIRE(ready);
  }
  ~ServeProcess() {
    if (pid_ > 0) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
    if (stdout_) std::fclose(stdout_);
  }
  std::uint16_t port() const { return port_; }
  // Sends `signal` and returns the exit status (or 128 + the signal that ended it).
  int stop_with(int signal) {
    kill(pid_, signal);
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

 private:
  pid_t pid_ = -1;
  FILE* stdout_ = nullptr;
  std::uint16_t port_ = 0;
};

}  // namespace orgledger::testing
