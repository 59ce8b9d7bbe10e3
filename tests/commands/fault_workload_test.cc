// The fault workload (issue 17), as SQLite's I/O error tests and FoundationDB's simulation: random
// commands of every rule family (personal data and forgets among them) against a store whose Env
// (tests/support/fault_env.h) fails one operation — every distinct create, write, sync, rename,
// delete, directory sync and chmod point in turn, with EIO and with ENOSPC — or fails at random
// from a seed, or crashes (every operation failing from a random point on, then whatever was not
// synced is dropped). After each run, on the healthy disk:
//   - verify passes: the chain, and the Merkle tree's nodes rebuilt from the events;
//   - every acknowledged command is in the log once, at the positions its answer named;
//   - no command whose outcome was unknown is applied twice, even when it is sent again;
//   - a replay of the whole log equals the live state the restarted processor rebuilt (from its
//     snapshot, when one survived);
//   - no personal data of a subject whose ForgetSubject is in the log can be read, and the data
//     of every acknowledged registration not forgotten still can (so the check could fail).
// ORGLEDGER_SEED replays a run's workload and random faults; ORGLEDGER_FAULT_POINT=n one point.
#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <cstdlib>
#include <filesystem>
#include <future>
#include <map>
#include <random>
#include <set>

#include "fault_env.h"
#include "manual_clock.h"
#include "orgledger/api/event_json.h"
#include "orgledger/api/personal_view.h"
#include "orgledger/commands/processor.h"
#include "orgledger/ledger/verify.h"
#include "orgledger/projections/digest.h"
#include "orgledger/projections/evolve.h"
#include "orgledger/projections/snapshot.h"
#include "random_commands.h"
#include "seed.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::commands;
using namespace orgledger::testing;

namespace {

constexpr int kCommands = 12;

std::string marker(const std::string& subject) { return "pii-" + subject + "~"; }

// What the first process was told about each command.
struct Told {
  enum Kind { acknowledged, refused_on_record, refused, unknown } kind = unknown;
  std::vector<ledger::Position> positions;  // acknowledged: its events; refused_on_record: its entry
  Command command;
};

// The commands of one run: users with personal data, rule-family commands, forgets, and one
// attempt at a snapshot half-way. Deterministic for a seed (the faults only change the outcomes).
class Workload {
 public:
  explicit Workload(std::uint64_t seed) : random_(seed), commands_(seed) {}

  Command next(int index, const projections::State& state) {
    Command command;
    if (index < 3) {
      const std::string user = "u" + std::to_string(index);
      command = Command{"svc:signup", "", "", std::nullopt, RegisterUser{user, marker("user:" + user) + "@example.ch"}};
    } else if (index == 3) {
      command = Command{"u0", "", "", std::nullopt, CreateOrganization{"o0", "Org"}};
    } else if (index == 4) {
      command = Command{"u0", "", "", std::nullopt, AddMember{.org = "o0", .user = "u1", .role = projections::Role::administrator}};
    } else if (index == 7) {
      // One forget per run: each costs a rewrite of the key store (G2), the runs' longest step.
      command = Command{"svc:privacy", "", "", std::nullopt, ForgetSubject{"user:u" + std::to_string(random_() % 3)}};
    } else if (random_() % 4 == 0) {
      command = random_desk_command(random_, state);
    } else {
      command = commands_.next(state);
    }
    command.command_id = "c" + std::to_string(index);
    return command;
  }

 private:
  std::mt19937_64 random_;
  RandomCommands commands_;
};

struct Run {
  std::map<std::string, Told> told;
  std::uint64_t counted = 0;
  std::vector<std::string> operations;  // counted, in order ("sync <path>")
  std::vector<std::string> failures;    // of which failed, in order
};

// The first process: opens, starts, submits, maybe snapshots, then goes away (its destructors run
// on the faulty disk, as a process's would before a crash or at exit).
Run run_workload(const std::string& directory, FaultEnv& env, ManualClock& clock, std::uint64_t seed) {
  Run run;
  auto log = ledger::Ledger::open(directory, {.env = &env});
  if (!log) return run;
  auto processor = CommandProcessor::start(**log, clock);
  if (!processor) return run;
  Workload workload(seed);
  for (int index = 0; index < kCommands; ++index) {
    const auto state = (*processor)->read([](const projections::State& s) { return s; });
    auto command = workload.next(index, state);
    Told told{.command = command};
    auto outcome = (*processor)->submit(std::move(command));
    if (outcome) {
      told.kind = Told::acknowledged;
      for (const auto& event : outcome->events) told.positions.push_back(event.position);
    } else if (outcome.error().ledger) {
      told.kind = Told::unknown;
    } else if (outcome.error().position != 0) {
      told.kind = Told::refused_on_record;
      told.positions.push_back(outcome.error().position);
    } else {
      told.kind = Told::refused;
    }
    run.told.emplace(told.command.command_id, std::move(told));
    clock.advance(600'000'000);
    if (index == kCommands / 2) {
      // A snapshot taken beside the log; one cut short must be passed over at the next start.
      (void)(*processor)->read([&](const projections::State& s) { return projections::save_snapshot(**log, s); });
    }
  }
  return run;
}

// The command ids of the log, each with its runs of consecutive positions.
std::map<std::string, std::vector<std::vector<ledger::Position>>> command_groups(const ledger::Ledger& log) {
  std::map<std::string, std::vector<std::vector<ledger::Position>>> groups;
  std::string previous;
  const auto head = log.head().position;
  if (head == 0) return groups;
  const auto events = log.read(1, head).value();
  for (const auto& event : events) {
    const std::string id(event.command_id());
    auto& runs = groups[id];
    if (runs.empty() || id != previous) runs.emplace_back();
    runs.back().push_back(event.position());
    previous = id;
  }
  return groups;
}

// What is wrong after a run, in words (runs go in parallel threads: Catch2's assertions are not
// thread-safe, so the checks collect problems and the test case reports them).
class Problems {
 public:
  void expect(bool holds, const std::string& what) {
    if (!holds) list_.push_back(what);
  }
  const std::vector<std::string>& list() const { return list_; }

 private:
  std::vector<std::string> list_;
};

std::vector<std::string> check_after(const std::string& directory, const Run& run, ManualClock& clock) {
  Problems problems;
  auto report = ledger::verify_ledger(directory);
  if (!report && report.error().code == ledger::ErrorCode::not_found) {
    // The store was never created: nothing may have been acknowledged.
    for (const auto& [id, told] : run.told) problems.expect(told.kind != Told::acknowledged, id + " acknowledged, no store");
    return problems.list();
  }
  if (!report) return {"verify failed: " + report.error().message};
  if (!report->ok) {
    return {"verify: " + report->problem + " " + report->tree_problem + " at " + std::to_string(report->first_bad_position.value_or(0)) +
            ", the recorded head " + std::to_string(report->head.position)};
  }

  auto opened = ledger::Ledger::open(directory, {.clock = &clock});
  if (!opened) return {"reopen failed: " + opened.error().message};
  auto& log = *opened;
  auto groups = command_groups(*log);
  for (const auto& [id, told] : run.told) {
    const std::string what = id + " (" + command_type(told.command.body) + ")";
    const auto& runs = groups[id];
    if (told.kind == Told::acknowledged || told.kind == Told::refused_on_record) {
      problems.expect(runs.size() == 1, what + " acknowledged, found " + std::to_string(runs.size()) + " times");
      problems.expect(runs.size() != 1 || runs.front() == told.positions, what + " not at the positions acknowledged");
    } else {
      problems.expect(runs.size() <= 1, what + " applied " + std::to_string(runs.size()) + " times");
    }
  }

  // A restart: every command of unknown outcome sent again, with its id.
  auto started = CommandProcessor::start(*log, clock);
  if (!started) return {"restart failed: " + started.error().message};
  auto& processor = *started;
  for (const auto& [id, told] : run.told) {
    if (told.kind == Told::unknown) (void)processor->submit(Command(told.command));
  }
  groups = command_groups(*log);
  for (const auto& [id, told] : run.told) {
    problems.expect(groups[id].size() <= 1, id + " applied " + std::to_string(groups[id].size()) + " times once sent again");
  }

  // Replay equals live: the whole log folded from nothing, against the restarted processor's state.
  const auto events = log->read(1, log->head().position).value();
  projections::State replayed;
  for (const auto& event : events) projections::evolve(replayed, event);
  const auto live = processor->read([](const projections::State& s) { return projections::projection_digests(s); });
  const auto folded = projections::projection_digests(replayed);
  problems.expect(live.size() == folded.size(), "digests of another size");
  for (std::size_t i = 0; i < std::min(live.size(), folded.size()); ++i) {
    problems.expect(live[i].digest == folded[i].digest, "replay differs from live in " + live[i].name);
  }

  // Personal data: a subject whose SubjectForgotten is in the log is unreadable; acknowledged,
  // unforgotten registrations read in clear.
  std::set<std::string> forgotten;
  for (const auto& event : events) {
    if (event.type_name() == "SubjectForgotten") forgotten.insert(api::event_to_json(event)["data"]["subject"].get<std::string>());
  }
  const auto view = api::PersonalView::revealed(&processor->vault(), clock.now());
  std::string shown;
  for (const auto& event : events) shown += api::event_to_json(event, view).dump();
  for (const auto& [id, told] : run.told) {
    const auto* registered = std::get_if<RegisterUser>(&told.command.body);
    if (!registered) continue;
    const std::string subject = "user:" + registered->user;
    const bool readable = shown.find(marker(subject)) != std::string::npos;
    if (forgotten.contains(subject)) problems.expect(!readable, subject + " forgotten but readable");
    if (!forgotten.contains(subject) && told.kind == Told::acknowledged) {
      problems.expect(readable, subject + " registered, not forgotten, but unreadable");
    }
  }
  return problems.list();
}

// In memory where there is /dev/shm: the runs' fsyncs would cost minutes, and the fault model
// decides what a crash keeps (drop_unsynced), not the disk.
std::string scratch() { return std::filesystem::is_directory("/dev/shm") ? "/dev/shm" : "/tmp"; }

struct Checked {
  std::string name;  // which run: "point 12, EIO"
  Run run;
  std::vector<std::string> problems;
};

Checked run_with(std::string name, FaultEnv::Plan plan, std::uint64_t seed, bool crash) {
  TempDir dir(scratch());
  ManualClock clock(kSampleInstant);
  FaultEnv env(plan, &clock);
  auto run = run_workload(dir.path(), env, clock, seed);
  run.counted = env.counted();
  run.operations = env.operations();
  run.failures = env.failures();
  if (crash) env.drop_unsynced();
  auto problems = check_after(dir.path(), run, clock);
  return {std::move(name), std::move(run), std::move(problems)};
}

struct Planned {
  std::string name;
  FaultEnv::Plan plan;
  std::uint64_t seed = 0;
  bool crash = false;
};

// Runs the plans, kParallel at a time (each waits mostly on RocksDB's background work, not on a
// core), then reports each one's problems with its name and first failure.
void run_all(const std::vector<Planned>& plans) {
  constexpr std::size_t kParallel = 6;
  std::size_t failed_runs = 0;
  for (std::size_t from = 0; from < plans.size(); from += kParallel) {
    std::vector<std::future<Checked>> running;
    for (std::size_t i = from; i < std::min(plans.size(), from + kParallel); ++i) {
      running.push_back(std::async(std::launch::async, [&plan = plans[i]] { return run_with(plan.name, plan.plan, plan.seed, plan.crash); }));
    }
    for (auto& future : running) {
      const auto checked = future.get();
      std::string failures;
      for (std::size_t i = 0; i < std::min<std::size_t>(checked.run.failures.size(), 4); ++i) failures += checked.run.failures[i] + "; ";
      INFO(checked.name << ": failures " << (failures.empty() ? "none" : failures) << checked.run.failures.size()
                        << " in all, operations counted " << checked.run.counted);
      for (const auto& problem : checked.problems) FAIL_CHECK(problem);
      failed_runs += !checked.problems.empty();
    }
  }
  INFO(plans.size() << " runs");
  CHECK(failed_runs == 0);
}

// The points 1 … count, every `step`-th from an offset drawn from the seed. Under a sanitizer
// (5-15x slower: scripts/test's second and third passes) the step is longer, so that the passes
// fit CI's budget and still cover every point over runs: 5 times under ASan; 15 times under TSan,
// whose business is the races between the writer, the processor and readers (the first points
// already run them all), while the normal pass covers every point. ORGLEDGER_FAULT_POINT=n: point
// n alone (with ORGLEDGER_SEED, a replay).
std::vector<std::uint64_t> points(std::uint64_t count, std::uint64_t step, std::uint64_t seed) {
  if (const char* only = std::getenv("ORGLEDGER_FAULT_POINT"); only && *only) return {std::stoull(only)};
#if defined(__SANITIZE_THREAD__)
  step *= 15;
#elif defined(__SANITIZE_ADDRESS__)
  step *= 5;
#endif
  std::vector<std::uint64_t> chosen;
  for (std::uint64_t point = 1 + seed % step; point <= count; point += step) chosen.push_back(point);
  return chosen;
}

}  // namespace

TEST_CASE("Faults: EIO and ENOSPC at every distinct write, sync, rename and create point - nothing acknowledged is lost, nothing applied twice") {
  const auto seed = test_seed("fault workload, every point");
  // A run without faults counts the points (the workload is the same for a seed).
  const auto clean = run_with("no fault", {}, seed, false);
  REQUIRE(clean.problems.empty());
  REQUIRE(clean.run.counted > 0);
  int acknowledged = 0;
  for (const auto& [id, told] : clean.run.told) acknowledged += told.kind == Told::acknowledged;
  CHECK(acknowledged > kCommands / 3);  // the workload is not all refusals (setup: 5 commands)
  std::vector<Planned> plans;
  for (const auto point : points(clean.run.counted, 1, seed)) {
    const auto at = "point " + std::to_string(point) + " of " + std::to_string(clean.run.counted);
    plans.push_back({at + ", EIO", {.fail_at = point, .error = FaultEnv::Error::io}, seed});
    plans.push_back({at + ", ENOSPC", {.fail_at = point, .error = FaultEnv::Error::no_space}, seed});
  }
  run_all(plans);
}

TEST_CASE("Faults: a disk that dies at a point and stays dead, or a crash there that drops what was not synced - then a restart") {
  const auto seed = test_seed("fault workload, dead disk and crashes");
  const auto clean = run_with("no fault", {}, seed, false);
  REQUIRE(clean.problems.empty());
  std::vector<Planned> plans;
  for (const auto point : points(clean.run.counted, 3, seed)) {
    const auto at = "from point " + std::to_string(point) + " of " + std::to_string(clean.run.counted);
    plans.push_back({"dead disk " + at, {.fail_at = point, .from_then_on = true}, seed});
    plans.push_back({"crash " + at, {.fail_at = point, .from_then_on = true}, seed, true});
  }
  run_all(plans);
}

TEST_CASE("Faults: random faults from a seed, on random workloads") {
  const auto seed = test_seed("fault workload, random faults");
  std::mt19937_64 random(seed);
  std::vector<Planned> plans;
  for (int round = 0; round < 24; ++round) {
    plans.push_back({"random round " + std::to_string(round),
                     {.probability = 0.02, .seed = random(), .error = round % 2 ? FaultEnv::Error::io : FaultEnv::Error::no_space},
                     random(), round % 3 == 0});
  }
  run_all(plans);
}

TEST_CASE("Faults: a slow disk (every sync and directory sync 3 ms late) changes nothing but time") {
  const auto seed = test_seed("fault workload, slow disk");
  const auto slow = run_with("slow disk", {.ops = FaultEnv::sync | FaultEnv::sync_directory, .delay = std::chrono::milliseconds(3)}, seed, false);
  INFO("operations counted " << slow.run.counted);
  CHECK(slow.run.counted > 0);
  for (const auto& problem : slow.problems) FAIL_CHECK(problem);
  int acknowledged = 0;
  for (const auto& [id, told] : slow.run.told) acknowledged += told.kind == Told::acknowledged;
  CHECK(acknowledged > kCommands / 3);
}

// Regressions found by the enumeration above, each run at every point of the files it concerns.
// Both aborted or broke the store before their fixes (see RESULTS.md, "Faults, fuzzing and
// sanitizers").
TEST_CASE("regression: ENOSPC at any write of the vault's key store never aborts the process (RocksDB reused its failed log writer)") {
  const auto seed = test_seed("fault workload, vault ENOSPC");
  const auto clean = run_with("no fault", {.ops = FaultEnv::write | FaultEnv::sync, .path_contains = "/vault/"}, seed, false);
  REQUIRE(clean.problems.empty());
  std::vector<Planned> plans;
  for (const auto point : points(clean.run.counted, 1, seed)) {
    plans.push_back({"vault point " + std::to_string(point), {.ops = FaultEnv::write | FaultEnv::sync, .fail_at = point,
                      .path_contains = "/vault/", .error = FaultEnv::Error::no_space}, seed});
  }
  run_all(plans);
}

TEST_CASE("regression: a failed sync of the MANIFEST at any point leaves a store that opens (RocksDB deleted the table it named)") {
  const auto seed = test_seed("fault workload, MANIFEST sync");
  const auto clean = run_with("no fault", {.ops = FaultEnv::sync, .path_contains = "MANIFEST"}, seed, false);
  REQUIRE(clean.problems.empty());
  std::vector<Planned> plans;
  for (const auto point : points(clean.run.counted, 1, seed)) {
    plans.push_back({"MANIFEST sync " + std::to_string(point), {.ops = FaultEnv::sync, .fail_at = point, .path_contains = "MANIFEST"}, seed});
  }
  run_all(plans);
}

TEST_CASE("regression: a failed sync of the WAL, then a full disk half-way through what follows, never splits a write batch across families (RocksDB's own resume left a head naming a missing event)") {
  // Found by the random faults (seed 4226775620, round 8): ENOSPC on a WAL sync stopped the
  // ledger, RocksDB resumed by itself and flushed the families one by one, the disk failed again
  // after the first two, and the next open replayed the unsynced record into the others only.
  const auto seed = test_seed("fault workload, WAL sync then a full disk");
  const auto clean = run_with("no fault", {}, seed, false);
  REQUIRE(clean.problems.empty());
  std::vector<std::uint64_t> wal_syncs;
  for (std::size_t i = 0; i < clean.run.operations.size(); ++i) {
    const auto& operation = clean.run.operations[i];
    if (operation.starts_with("sync ") && operation.ends_with(".log")) wal_syncs.push_back(i + 1);
  }
  REQUIRE(wal_syncs.size() > 3);
  std::vector<Planned> plans;
  for (const auto point : points(wal_syncs.size(), 2, seed)) {
    const auto wal_sync = wal_syncs[point - 1];
    for (std::uint64_t later = 2; later <= 30; later += 4) {
      plans.push_back({"WAL sync " + std::to_string(wal_sync) + ", disk full from " + std::to_string(wal_sync + later),
                       {.fail_at = wal_sync, .dead_from = wal_sync + later, .error = FaultEnv::Error::no_space}, seed});
    }
  }
  run_all(plans);
}
