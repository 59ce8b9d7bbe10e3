// Subscriptions: catch up from a position, then live, with no gap and no duplicate at the switch,
// while appends continue.
#include <catch2/catch.hpp>

#include <atomic>
#include <thread>

#include "commands.h"
#include "orgledger/ledger/ledger.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

// Appends `count` events; answers how many were refused. Safe on any thread: it asserts nothing
// (Catch2 v2's assertions are for the test's own thread).
int append_many(ledger::Ledger& log, const std::string& prefix, int count) {
  int refused = 0;
  for (int i = 0; i < count; ++i) {
    if (!log.append(member_added(prefix + std::to_string(i), "org:" + prefix, "u"))) ++refused;
  }
  return refused;
}

}  // namespace

TEST_CASE("subscription: catch-up then live under concurrent appends, no gap, no duplicate") {
  TempDir dir;
  auto log = ledger::Ledger::open(dir.path()).value();
  REQUIRE(append_many(*log, "before", 3000) == 0);

  constexpr int kWriters = 4;
  constexpr int kPerWriter = 2000;
  const ledger::Position total = 3000 + kWriters * kPerWriter;

  std::vector<std::thread> writers;
  std::atomic<bool> go{false};
  std::atomic<int> refused{0}, failed_reads{0};  // counted in the threads, asserted below
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      while (!go.load()) std::this_thread::yield();
      refused += append_many(*log, "w" + std::to_string(w) + "-", kPerWriter);
    });
  }
  std::vector<std::vector<ledger::Position>> seen(3);
  std::vector<std::thread> readers;
  // Subscribers from the first event, from the middle of the catch-up, and from its last event.
  const ledger::Position starts[] = {1, 2500, 3000};
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&, r] {
      auto subscription = log->subscribe(starts[r]);
      while (seen[r].empty() || seen[r].back() < total) {
        auto events = subscription->next(97, std::chrono::milliseconds(2000));
        if (!events) {
          ++failed_reads;
          break;
        }
        if (events->empty()) break;  // no progress for 2 s: the check below fails
        for (const auto& event : *events) seen[r].push_back(event.position());
      }
    });
  }
  go = true;
  for (auto& thread : writers) thread.join();
  for (auto& thread : readers) thread.join();
  REQUIRE(refused == 0);
  REQUIRE(failed_reads == 0);
  for (int r = 0; r < 3; ++r) {
    INFO("subscriber from " << starts[r]);
    REQUIRE(seen[r].size() == total - starts[r] + 1);
    for (std::size_t i = 0; i < seen[r].size(); ++i) REQUIRE(seen[r][i] == starts[r] + i);
  }
}

TEST_CASE("subscription: waits for the next event, and times out with nothing when none comes") {
  TempDir dir;
  auto log = ledger::Ledger::open(dir.path()).value();
  auto subscription = log->subscribe(1);
  CHECK(subscription->next(10, std::chrono::milliseconds(20)).value().empty());
  int late_refused = 0;  // written by the thread, read after join()
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    late_refused = append_many(*log, "late", 1);
  });
  auto events = subscription->next(10, std::chrono::milliseconds(5000)).value();
  later.join();
  REQUIRE(late_refused == 0);
  REQUIRE(events.size() == 1);
  CHECK(events[0].position() == 1);
  CHECK(subscription->next_position() == 2);
}
