// The processor over the pipelined writer (issue 15): a command is decided against every group
// sealed before it, durable or not yet, while readers see only what is durable (whichever of the
// writer's threads writes the group). The WAL's fsync is
// held at a gate (gated_wal_file_system.h) to catch a group between sealed and durable.
#include <catch2/catch.hpp>

#include <future>
#include <vector>

#include "gated_wal_file_system.h"
#include "manual_clock.h"
#include "orgledger/commands/processor.h"
#include "random_commands.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::commands;
using orgledger::testing::GatedWalFileSystem;
using orgledger::testing::kSampleInstant;
using orgledger::testing::ManualClock;
using orgledger::testing::registering;
using orgledger::testing::TempDir;

namespace {

std::future<Outcome> submitted(CommandProcessor& processor, Command command) {
  auto promise = std::make_shared<std::promise<Outcome>>();
  auto future = promise->get_future();
  processor.submit(std::move(command), [promise](Outcome outcome) { promise->set_value(std::move(outcome)); });
  return future;
}

}  // namespace

TEST_CASE("pipeline: U1 refuses a second registration submitted while the first is being made durable, and readers see neither until durable") {
  TempDir dir;
  ManualClock clock{kSampleInstant};
  auto gate = std::make_shared<GatedWalFileSystem>();
  ledger::EnvWith env({.file_system = gate});
  auto log = ledger::Ledger::open(dir.path(), {.env = &env, .clock = &clock, .pipelined_writer = true}).value();
  auto processor = CommandProcessor::start(*log, clock).value();
  const orgledger::testing::GateOpener opener(*gate);  // a failed check must not leave the syncer at the gate
  // From ann's answer (on the writer's threads): the gate is held and bob's registration goes with
  // seven others, queued while the writer is busy: a group of eight.
  std::vector<std::future<Outcome>> held;
  std::promise<void> queued;
  bool ann_registered = false;
  processor->submit(registering("ann", "reg-ann"), [&](Outcome ann) {
    ann_registered = ann.has_value();
    gate->hold();
    held.push_back(submitted(*processor, registering("bob", "reg-bob-1")));
    for (int i = 1; i < 8; ++i) held.push_back(submitted(*processor, registering("u" + std::to_string(i), "reg-u" + std::to_string(i))));
    queued.set_value();
  });
  queued.get_future().wait();
  REQUIRE(ann_registered);
  REQUIRE(gate->wait_for_held_sync());
  const auto durable = processor->version();
  CHECK(durable->users.lookup("ann") != nullptr);
  auto& first = held.front();
  auto second = submitted(*processor, registering("bob", "reg-bob-2"));
  auto third = submitted(*processor, registering("cid", "reg-cid"));
  // Whatever has been decided meanwhile, readers hold the durable version only.
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  CHECK(processor->version()->position == durable->position);
  CHECK(processor->version()->users.lookup("bob") == nullptr);
  CHECK(processor->read([](const projections::State& state) { return state.users.lookup("cid") == nullptr; }));

  gate->release();
  for (std::size_t i = 1; i < held.size(); ++i) CHECK(held[i].get());
  const Outcome bob = first.get();
  const Outcome again = second.get();
  const Outcome cid = third.get();
  REQUIRE(bob);
  REQUIRE(cid);
  REQUIRE_FALSE(again);
  REQUIRE(again.error().rejection);
  CHECK(again.error().rejection->code == Code::already_exists);
  CHECK(again.error().rejection->rule == "U1");
  CHECK(again.error().position > bob->position);  // its CommandRejected entry (D2), after bob
  const auto now = processor->version();
  CHECK(now->position == log->head().position);
  CHECK(now->users.lookup("bob") != nullptr);
  CHECK(now->users.lookup("cid") != nullptr);
  CHECK(log->read_stream("user:bob", 1, 10).value().size() == 1);
}
