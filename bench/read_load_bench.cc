// read_load_bench: do readers and snapshots slow the writer? (issue 15). Commands go through the
// processor at 64 in flight, in four phases of equal length on one realistic log:
//   alone      — commands only (the reference);
//   readers    — with READERS reader threads, each asking mixed queries back to back with a pause
//                of THINK µs between them (a connection's client): checks with their JSON, member
//                lists, partner lists, and now and then a scan of every organization;
//   snapshot   — as `readers`, beside the server's Snapshotter saving the published version
//                back to back (paced, at its lower CPU priority);
//   alone again — commands only (the machine's drift).
// Each phase's command latencies (submit to durable answer) give p50 and p99.
//
// The "before" figures in RESULTS.md were taken with this file's first version (commit 0bf204a),
// which older builds compile too: its snapshot phase saved copies taken through read().
//
// Output: "metric NAME VALUE UNIT" lines.
//   read_load_bench [SCRATCH] [ORGS=20000] [PHASE_SECONDS=5] [READERS=64] [THINK_US=1000] [KEPT=0] [PIPELINED=0]
#include <nlohmann/json.hpp>

#include <atomic>
#include <optional>
#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "bench_support.h"
#include "domain_checks.h"
#include "domain_commands.h"
#include "domain_log.h"
#include "orgledger/api/answer_json.h"
#include "orgledger/commands/processor.h"
#include "orgledger/ledger/snapshot_records.h"
#include "orgledger/projections/snapshot.h"
#include "orgledger/projections/snapshotter.h"
#include "orgledger/projections/state_view.h"

namespace orgledger::bench {
namespace {

struct Settings {
  std::string scratch = "/tmp";
  std::size_t orgs = 20000;
  double phase_seconds = 5;
  int readers = 64;
  int think_us = 1000;
  std::size_t kept_versions = 0;  // the processor's default
  bool pipelined_writer = false;  // LedgerOptions' default
};

// One reader's query: the mix a desk's screens and the platform's checks make.
std::size_t ask(const projections::State& state, const std::vector<CheckCase>& cases, std::mt19937_64& random,
                ledger::Micros now) {
  const auto& one = cases[random() % cases.size()];
  const unsigned kind = random() % 100;
  if (kind < 60) return api::check_json(projections::check(state, one.request, now), state.position, true).dump().size();
  const auto org = state.organizations.find(one.request.org);
  if (org == state.organizations.end()) return 0;
  if (kind < 85) return api::members_json(one.request.org, org->second, state.position).dump().size();
  if (kind < 98) return api::partners_json(one.request.org, state, state.position).dump().size();
  std::size_t grants = 0;  // a board over every organization
  for (const auto& [id, o] : state.organizations) grants += o.grants.size();
  return grants;
}

// Counts the writer's groups: commands per fsync say how well the group commit batches.
struct GroupCounter final : ledger::GroupObserver {
  std::atomic<std::uint64_t> groups{0}, commands{0};
  void group_written(std::size_t group_commands, std::size_t, std::chrono::microseconds) override {
    groups.fetch_add(1, std::memory_order_relaxed);
    commands.fetch_add(group_commands, std::memory_order_relaxed);
  }
};

struct Phase {
  const char* name;
  bool readers;
  bool snapshots;
};

int run(const Settings& settings) {
  const TempDir directory(settings.scratch, "read_load");
  auto log = value_or_fail(ledger::Ledger::open(directory.path(), {.pipelined_writer = settings.pipelined_writer}), "open");
  std::fprintf(stderr, "read_load_bench: writing %zu organizations\n", settings.orgs);
  write_log(*log, LogShape{.users = settings.orgs * 8, .orgs = settings.orgs, .support_grants = settings.orgs / 5, .seed = 15});
  const ledger::SystemClock clock;
  auto processor = value_or_fail(commands::CommandProcessor::start(*log, clock), "start");
  processor->keep_versions(4096, settings.kept_versions);
  const auto cases = processor->read([](const projections::State& state) { return make_check_cases(state, 20000, 15); });
  const Phase phases[] = {{"alone", false, false}, {"readers", true, false}, {"snapshot", true, true}, {"alone_again", false, false}};
  std::printf("metric readers %d threads\nmetric think %d us\nmetric orgs %zu orgs\n", settings.readers, settings.think_us, settings.orgs);
  std::uint64_t seed = 1;
  GroupCounter counter;
  log->set_group_observer(&counter);
  for (const auto& phase : phases) {
    const std::uint64_t groups_before = counter.groups, commands_before = counter.commands;
    auto batch = processor->read([&](const projections::State& state) {
      return make_commands(state, 200000, seed, "rl" + std::to_string(seed) + "-");
    });
    ++seed;
    std::atomic<bool> stop{false};
    std::atomic<std::size_t> queries{0}, snapshots{0};
    std::vector<std::jthread> helpers;
    for (int r = 0; phase.readers && r < settings.readers; ++r) {
      helpers.emplace_back([&, r] {
        std::mt19937_64 random(static_cast<std::uint64_t>(r) + 100);
        while (!stop.load(std::memory_order_relaxed)) {
          processor->read([&](const projections::State& state) { return ask(state, cases, random, clock.now()); });
          queries.fetch_add(1, std::memory_order_relaxed);
          std::this_thread::sleep_for(std::chrono::microseconds(settings.think_us));
        }
      });
    }
    // The server's Snapshotter, saving a version whenever the log has moved on (back to back).
    std::optional<projections::Snapshotter> snapshotter;
    if (phase.snapshots) {
      snapshotter.emplace(*log, [&] { return processor->version(); }, 1, [&](const std::string&) {},
                          std::chrono::milliseconds(10));
    }
    const auto commands_run = submit_async(*processor, std::move(batch), 64, settings.phase_seconds);
    stop = true;
    helpers.clear();
    snapshotter.reset();
    if (phase.snapshots) snapshots = ledger::SnapshotRecords(*log).positions(projections::kStateSnapshot).value_or(std::vector<ledger::Position>{}).size();
    auto metric = [&](const char* what, double value, const char* unit) {
      std::printf("metric %s_%s %.2f %s\n", phase.name, what, value, unit);
    };
    metric("commands_per_s", commands_run.per_second(), "commands/s");
    metric("p50", quantile(commands_run.micros, 0.5) / 1000, "ms");
    metric("p99", quantile(commands_run.micros, 0.99) / 1000, "ms");
    metric("queries_per_s", static_cast<double>(queries) / commands_run.seconds, "queries/s");
    metric("rss", resident_mib(), "MiB");
    if (phase.snapshots) metric("snapshots_kept", static_cast<double>(snapshots), "snapshots");
    const auto groups = static_cast<double>(counter.groups - groups_before);
    metric("commands_per_group", groups > 0 ? static_cast<double>(counter.commands - commands_before) / groups : 0, "commands");
    if (commands_run.failed > 0) throw BenchFailure(phase.name + std::string(": ") + commands_run.first_problem);
    std::fflush(stdout);
  }
  log->set_group_observer(nullptr);
  return 0;
}

}  // namespace
}  // namespace orgledger::bench

int main(int argc, char** argv) {
  orgledger::bench::Settings settings;
  if (argc > 1) settings.scratch = argv[1];
  if (argc > 2) settings.orgs = std::stoull(argv[2]);
  if (argc > 3) settings.phase_seconds = std::stod(argv[3]);
  if (argc > 4) settings.readers = std::stoi(argv[4]);
  if (argc > 5) settings.think_us = std::stoi(argv[5]);
  if (argc > 6) settings.kept_versions = std::stoull(argv[6]);
  if (argc > 7) settings.pipelined_writer = std::stoi(argv[7]) != 0;
  try {
    return orgledger::bench::run(settings);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "read_load_bench: %s\n", failure.what());
    return 1;
  }
}
