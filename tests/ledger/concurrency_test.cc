// Many submitters, one writer: 16 threads × 10 000 appends over shared and private streams.
// Positions gapless, stream versions dense, conflicts reported, nothing lost or doubled.
#include <catch2/catch.hpp>

#include <map>
#include <mutex>
#include <set>
#include <thread>

#include "commands.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/verify.h"
#include "seed.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

TEST_CASE("concurrency: 16 threads x 10000 appends, gapless and dense, nothing lost or doubled") {
  constexpr int kThreads = 16;
  constexpr int kPerThread = 10'000;
  const auto seed = test_seed("concurrency");
  TempDir dir;
  auto log = ledger::Ledger::open(dir.path()).value();

  struct Accepted {
    std::string command_id;
    std::string stream;
    ledger::Position position;
    ledger::StreamVersion version;
  };
  std::vector<std::vector<Accepted>> accepted(kThreads);
  std::vector<int> conflicts(kThreads, 0);
  std::vector<std::string> failures(kThreads);

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      std::mt19937_64 random(seed + t);
      for (int i = 0; i < kPerThread; ++i) {
        const std::string id = "t" + std::to_string(t) + "-" + std::to_string(i);
        // Half on 4 streams every thread shares, half on the thread's own.
        const bool shared = random() % 2 == 0;
        const std::string stream = shared ? "org:shared" + std::to_string(random() % 4) : "org:own" + std::to_string(t);
        auto cmd = member_added(id, stream, "u" + std::to_string(i));
        // One in 8 shared appends asserts the version it last saw: under contention many must fail.
        if (shared && random() % 8 == 0) {
          cmd.expected = ledger::ExpectedVersion{stream, log->stream_version(stream).value()};
        }
        auto answer = log->append(std::move(cmd));
        if (answer) {
          accepted[t].push_back({id, stream, answer->position, answer->stream_version});
        } else if (answer.error().code == ledger::ErrorCode::version_conflict) {
          ++conflicts[t];
        } else {
          failures[t] = answer.error().message;
          return;
        }
      }
    });
  }
  for (auto& thread : threads) thread.join();
  for (const auto& failure : failures) REQUIRE(failure.empty());

  std::map<ledger::Position, const Accepted*> by_position;
  std::size_t total_conflicts = 0;
  for (int t = 0; t < kThreads; ++t) {
    total_conflicts += conflicts[t];
    for (const auto& a : accepted[t]) REQUIRE(by_position.emplace(a.position, &a).second);  // no doubles
  }
  const std::size_t expected_total = kThreads * kPerThread - total_conflicts;
  REQUIRE(by_position.size() == expected_total);
  CHECK(log->head().position == expected_total);

  // Every acknowledged command is in the log at its position, and positions are 1..N.
  std::map<std::string, ledger::StreamVersion> versions;
  ledger::Position next = 1;
  while (next <= log->head().position) {
    auto events = log->read(next, 5000).value();
    for (const auto& event : events) {
      REQUIRE(event.position() == next);
      const auto* acked = by_position.at(next);
      CHECK(event.command_id() == acked->command_id);
      CHECK(event.stream() == acked->stream);
      CHECK(event.stream_version() == acked->version);
      // Dense stream versions: each stream counts 1, 2, 3 … in log order.
      CHECK(event.stream_version() == ++versions[std::string(event.stream())]);
      ++next;
    }
  }
  CHECK(next == expected_total + 1);
  INFO("version conflicts: " << total_conflicts);
  CHECK(total_conflicts > 0);
  log.reset();
  auto report = ledger::verify_ledger(dir.path()).value();
  CHECK(report.ok);
  CHECK(report.checked == expected_total);
}
