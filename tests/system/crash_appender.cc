// The child of crash_test.cc: appends forever from several threads and prints each acknowledged
// command ("<position> <command id> <events>") as soon as its append returns — until SIGKILL. The
// first line, "ready", says the store is open.
#include <unistd.h>

#include <cstdio>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "commands.h"
#include "orgledger/ledger/ledger.h"

using namespace orgledger;

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: crash_appender DIR RUN\n");
    return 2;
  }
  auto opened = ledger::Ledger::open(argv[1]);
  if (!opened) {
    std::fprintf(stderr, "crash_appender: %s\n", opened.error().message.c_str());
    return 2;
  }
  auto& log = **opened;
  // The test may time its kill from here rather than from the fork (a loaded machine can spend the
  // whole of a short round opening the store).
  if (write(STDOUT_FILENO, "ready\n", 6) != 6) _exit(4);
  const std::string run = argv[2];
  std::mutex out;
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (long i = 0;; ++i) {
        const std::string id = "r" + run + "-t" + std::to_string(t) + "-" + std::to_string(i);
        auto cmd = testing::member_added(id, "org:o" + std::to_string(i % 5), "u" + std::to_string(i));
        // Every third command is three events long: a crash must never leave part of one.
        if (i % 3 == 0) {
          ledger::add_event(cmd, "org:o" + std::to_string(t), schema::TeamCreatedT{.org = "o", .team = id});
          ledger::add_event(cmd, "user:u" + std::to_string(t), schema::NotificationQueuedT{.org = "o", .user = "u"});
        }
        const auto events = cmd.events.size();
        auto answer = log.append(std::move(cmd));
        if (!answer) {
          std::fprintf(stderr, "crash_appender: %s\n", answer.error().message.c_str());
          _exit(3);
        }
        const std::string line = std::to_string(answer->position) + " " + id + " " + std::to_string(events) + "\n";
        std::lock_guard lock(out);
        if (write(STDOUT_FILENO, line.data(), line.size()) != static_cast<ssize_t>(line.size())) _exit(4);
      }
    });
  }
  for (auto& thread : threads) thread.join();
}
