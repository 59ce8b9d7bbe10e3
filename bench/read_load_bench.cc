// read_load_bench: do readers and snapshots slow the writer? (issue 15). Commands go through the
// processor at 64 in flight, in four phases of equal length on one realistic log:
//   alone      — commands only (the reference);
//   readers    — with READERS reader threads, each asking mixed queries back to back with a pause
//                of THINK µs between them (a connection's client): checks with their JSON, member
//                lists, partner lists, and now and then a scan of every organization;
//   snapshot   — as `readers`, and a state snapshot stored again and again, paced in the
//                background, from a copy of the state taken through read();
//   alone again — commands only (the machine's drift).
// Each phase's command latencies (submit to durable answer) give p50 and p99.
//
// Only APIs that older builds have too are used, so the same file measures the build before
// issue 15 (readers under a shared lock the writer had to take exclusively).
//
// Output: "metric NAME VALUE UNIT" lines.
//   read_load_bench [SCRATCH] [ORGS=20000] [PHASE_SECONDS=5] [READERS=64] [THINK_US=1000]
#include <nlohmann/json.hpp>

#include <atomic>
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
#include "orgledger/projections/snapshot.h"
#include "orgledger/projections/state_view.h"

namespace orgledger::bench {
namespace {

struct Settings {
  std::string scratch = "/tmp";
  std::size_t orgs = 20000;
  double phase_seconds = 5;
  int readers = 64;
  int think_us = 1000;
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

struct Phase {
  const char* name;
  bool readers;
  bool snapshots;
};

int run(const Settings& settings) {
  const TempDir directory(settings.scratch, "read_load");
  auto log = value_or_fail(ledger::Ledger::open(directory.path()), "open");
  std::fprintf(stderr, "read_load_bench: writing %zu organizations\n", settings.orgs);
  write_log(*log, LogShape{.users = settings.orgs * 8, .orgs = settings.orgs, .support_grants = settings.orgs / 5, .seed = 15});
  const ledger::SystemClock clock;
  auto processor = value_or_fail(commands::CommandProcessor::start(*log, clock), "start");
  const auto cases = processor->read([](const projections::State& state) { return make_check_cases(state, 20000, 15); });
  const Phase phases[] = {{"alone", false, false}, {"readers", true, false}, {"snapshot", true, true}, {"alone_again", false, false}};
  std::printf("metric readers %d threads\nmetric think %d us\nmetric orgs %zu orgs\n", settings.readers, settings.think_us, settings.orgs);
  std::uint64_t seed = 1;
  for (const auto& phase : phases) {
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
    if (phase.snapshots) {
      helpers.emplace_back([&] {
        while (!stop.load(std::memory_order_relaxed)) {
          const auto state = processor->read([](const projections::State& s) { return s; });
          if (projections::save_snapshot(*log, state)) snapshots.fetch_add(1);
        }
      });
    }
    const auto commands_run = submit_async(*processor, std::move(batch), 64, settings.phase_seconds);
    stop = true;
    helpers.clear();
    auto metric = [&](const char* what, double value, const char* unit) {
      std::printf("metric %s_%s %.2f %s\n", phase.name, what, value, unit);
    };
    metric("commands_per_s", commands_run.per_second(), "commands/s");
    metric("p50", quantile(commands_run.micros, 0.5) / 1000, "ms");
    metric("p99", quantile(commands_run.micros, 0.99) / 1000, "ms");
    metric("queries_per_s", static_cast<double>(queries) / commands_run.seconds, "queries/s");
    if (phase.snapshots) metric("snapshots", static_cast<double>(snapshots), "snapshots");
    if (commands_run.failed > 0) throw BenchFailure(phase.name + std::string(": ") + commands_run.first_problem);
    std::fflush(stdout);
  }
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
  try {
    return orgledger::bench::run(settings);
  } catch (const std::exception& failure) {
    std::fprintf(stderr, "read_load_bench: %s\n", failure.what());
    return 1;
  }
}
