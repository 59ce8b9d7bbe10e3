// The pipelined writer (issue 15): group N+1 is decided and sealed while group N is in its fsync
// (a group that was costly to stage: a small or cheap one, the syncer idle, the stager writes).
// Held at a gate in the WAL's sync (gated_wal_file_system.h), the writer shows what it does with
// the next group meanwhile: a repeat of N's command is answered from N, not appended again; nothing
// of either group is published before N is durable; and when N's fsync fails, the group sealed
// after it is never written (fail-stop).
#include <catch2/catch.hpp>
#include <rocksdb/env.h>

#include <array>
#include <atomic>
#include <chrono>
#include <future>
#include <thread>

#include "commands.h"
#include "gated_wal_file_system.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/verify.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

using Answer = std::expected<ledger::CommandAnswer, ledger::Error>;

// An append whose answer can be waited for.
// The promise is shared with the completion: should a check fail, the test unwinds before the
// ledger (declared first) answers, and the completion must not reach a freed object.
struct Awaited {
  std::shared_ptr<std::promise<Answer>> promise = std::make_shared<std::promise<Answer>>();
  std::future<Answer> future = promise->get_future();
  ledger::Ledger::Completion completion() {
    return [promise = promise](Answer answer) { promise->set_value(std::move(answer)); };
  }
  bool answered() { return future.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready; }
};

// Waits (at most 10 s) until `flag` is set.
bool eventually(const std::atomic<bool>& flag) {
  for (int i = 0; i < 1000 && !flag; ++i) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  return flag;
}

// Submits, while `first`'s group waits at the gate: a repeat of `first`, then `second` decided on
// the staging thread. Once `second`'s prepare has run, the repeat was staged too (it came first).
struct NextGroup {
  Awaited repeat;
  Awaited second;
  std::atomic<bool> prepared{false};
  std::atomic<bool> prepared_during_fsync{false};

  NextGroup(ledger::Ledger& log, GatedWalFileSystem& gate) {
    log.append_async(member_added("first", "org:a", "u1"), repeat.completion());
    log.append_decided_async(
        "second",
        [this, &gate](ledger::Micros) -> std::expected<ledger::CommandAppend, ledger::Error> {
          prepared_during_fsync = gate.sync_waiting();
          prepared = true;
          return member_added("second", "org:a", "u2");
        },
        second.completion());
  }
};

// Appends "warm" (a group of one, written on the staging thread), and from its completion holds
// the gate and submits "first" with seven more: they queue while the writer is busy, so they form
// one group of eight. Each takes 2 ms to decide — staging that costs more than a write — so the
// syncing thread takes the group (a cheap one the stager would write itself), and holds at the gate.
struct HeldGroup {
  static constexpr int kCommands = 8;
  Awaited warm;
  std::array<Awaited, kCommands> held;

  HeldGroup(ledger::Ledger& log, GatedWalFileSystem& gate) {
    log.append_async(member_added("warm", "org:a", "u0"), [this, &log, &gate](Answer answer) {
      gate.hold();
      for (int i = 0; i < kCommands; ++i) {
        const std::string id = i == 0 ? "first" : "fill-" + std::to_string(i);
        log.append_decided_async(
            id,
            [id](ledger::Micros) -> std::expected<ledger::CommandAppend, ledger::Error> {
              std::this_thread::sleep_for(std::chrono::milliseconds(2));
              return member_added(id, "org:a", "u1");
            },
            held[i].completion());
      }
      warm.promise->set_value(std::move(answer));
    });
  }
};

}  // namespace

TEST_CASE("pipeline: the next group is decided during the fsync of the one before, and a repeat of it is appended once") {
  TempDir dir;
  auto gate = std::make_shared<GatedWalFileSystem>();
  ledger::EnvWith env({.file_system = gate});
  {
    auto log = ledger::Ledger::open(dir.path(), {.env = &env, .pipelined_writer = true}).value();
    const GateOpener opener(*gate);  // a failed check must not leave the ledger's syncer at the gate
    HeldGroup group(*log, *gate);
    REQUIRE(group.warm.future.get());
    const auto before = log->head();
    REQUIRE(gate->wait_for_held_sync());
    Awaited& first = group.held[0];
    NextGroup next(*log, *gate);
    REQUIRE(eventually(next.prepared));
    CHECK(next.prepared_during_fsync);
    // Sealed, not durable: nothing of either group is published or answered.
    CHECK(log->head().position == before.position);
    CHECK(log->read(before.position + 1, 10).value().empty());
    CHECK_FALSE(log->find_command("first").value().has_value());
    CHECK_FALSE(first.answered());
    CHECK_FALSE(next.repeat.answered());
    CHECK_FALSE(next.second.answered());

    gate->release();
    const Answer a = first.future.get();
    const Answer repeat = next.repeat.future.get();
    const Answer second = next.second.future.get();
    REQUIRE(a);
    REQUIRE(repeat);
    REQUIRE(second);
    CHECK_FALSE(a->duplicate);
    CHECK(repeat->duplicate);
    CHECK(repeat->position == a->position);
    CHECK(repeat->events.size() == a->events.size());
    CHECK(a->position == before.position + 1);
    for (int i = 1; i < HeldGroup::kCommands; ++i) REQUIRE(group.held[i].future.get());
    // Chained after the group it was decided beside.
    CHECK(second->position == before.position + HeldGroup::kCommands + 1);
    CHECK(log->head().position == second->position);
    CHECK(log->read(1, 20).value().size() == second->position);
    CHECK(log->stream_version("org:a").value() == second->position);
  }
  auto verified = ledger::verify_ledger(dir.path());
  REQUIRE(verified);
  CHECK(verified->ok);
}

TEST_CASE("pipeline: a failed fsync fails the group sealed after it, which is never written") {
  TempDir dir;
  auto gate = std::make_shared<GatedWalFileSystem>();
  ledger::EnvWith env({.file_system = gate});
  {
    auto log = ledger::Ledger::open(dir.path(), {.env = &env, .pipelined_writer = true}).value();
    const GateOpener opener(*gate);  // a failed check must not leave the ledger's syncer at the gate
    HeldGroup group(*log, *gate);
    REQUIRE(group.warm.future.get());
    const auto before = log->head();
    REQUIRE(gate->wait_for_held_sync());
    Awaited& first = group.held[0];
    NextGroup next(*log, *gate);
    REQUIRE(eventually(next.prepared));
    gate->release(/*fail=*/true);

    const Answer a = first.future.get();
    const Answer repeat = next.repeat.future.get();
    const Answer second = next.second.future.get();
    REQUIRE_FALSE(a);
    CHECK(a.error().code == ledger::ErrorCode::outcome_unknown);
    for (int i = 1; i < HeldGroup::kCommands; ++i) {
      const Answer answer = group.held[i].future.get();
      REQUIRE_FALSE(answer);
      CHECK(answer.error().code == ledger::ErrorCode::outcome_unknown);
    }
    // Its repeat was answered from the group in flight: unknown as well, never a success.
    REQUIRE_FALSE(repeat);
    CHECK(repeat.error().code == ledger::ErrorCode::outcome_unknown);
    // Decided against a group that may not be on record: not written, and said so.
    REQUIRE_FALSE(second);
    CHECK(second.error().code == ledger::ErrorCode::stopped);
    CHECK(log->head().position == before.position);
    REQUIRE(log->failure());
    gate->release();
  }
  // The failed group may have reached the disk (its bytes were written, only the sync failed);
  // the one after it never did.
  auto log = ledger::Ledger::open(dir.path()).value();
  CHECK((log->head().position == 1 || log->head().position == 1 + HeldGroup::kCommands));
  CHECK_FALSE(log->find_command("second").value().has_value());
  CHECK(log->read_stream("org:a", 1, 10).value().size() == log->head().position);
  log.reset();
  auto verified = ledger::verify_ledger(dir.path());
  REQUIRE(verified);
  CHECK(verified->ok);
}
