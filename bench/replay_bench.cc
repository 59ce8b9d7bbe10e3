// replay_bench (issue 5): time travel on a large log — replay and start-up with and without a
// snapshot, a global as-of from the nearest snapshot, as-of membership and check questions about
// one organization at random past positions, and the export rate. Prints a human table and one
// `metric NAME VALUE UNIT` line per figure (run_replay_bench.sh records them).
#include <cstdio>
#include <filesystem>
#include <optional>
#include <nlohmann/json.hpp>
#include <random>

#include "bench_clock.h"
#include "bench_support.h"
#include "domain_commands.h"
#include "domain_log.h"
#include "domain_options.h"
#include "metrics.h"
#include "orgledger/api/answer_json.h"
#include "orgledger/api/export_format.h"
#include "orgledger/commands/processor.h"
#include "orgledger/commands/stream_names.h"
#include "orgledger/projections/abuse_sla.h"
#include "orgledger/projections/access.h"
#include "orgledger/projections/business_calendar.h"
#include "orgledger/projections/as_of.h"
#include "orgledger/projections/digest.h"
#include "orgledger/projections/family_snapshots.h"
#include "orgledger/projections/event_stream.h"
#include "orgledger/ledger/snapshot_records.h"
#include "orgledger/projections/snapshot.h"
#include "orgledger/replay/org_fold.h"

namespace orgledger::bench {
namespace {

constexpr std::size_t kOrgSamples = 1000;
constexpr std::size_t kGlobalSamples = 9;
constexpr std::size_t kReportSamples = 200;
constexpr std::size_t kRecentCommands = 200000;  // one event each: within the ~262 k positions kept versions span
constexpr std::size_t kRecentSamples = 200;

constexpr auto add = add_metric;  // every figure: recorded and logged

void percentiles(std::vector<Metric>& metrics, const std::string& name, const std::string& what,
                 const std::vector<double>& ms) {
  add(metrics, name + "_p50", what + " p50", quantile(ms, 0.50), "ms");
  add(metrics, name + "_p99", what + " p99", quantile(ms, 0.99), "ms");
  add(metrics, name + "_max", what + " max", quantile(ms, 1.0), "ms");
}

projections::AsOf at_position(ledger::Position position) {
  return projections::AsOf{projections::AsOf::Kind::position, static_cast<std::int64_t>(position)};
}

// GET /v1/abuse-reports?as_of=P: only the reports' streams are folded (replay/org_fold.h), then
// each report's SLA is computed at the point's instant, as the API does before its JSON. First
// from the reports' whole history, then from the reports' own snapshots (as a server keeps them).
void abuse_reports_figures(ledger::Ledger& log, ledger::Position head, BenchClock& clock, std::mt19937_64& random,
                           std::vector<Metric>& metrics) {
  const std::string family_name = projections::family_snapshot_name(commands::kAbuseReportStreams);
  ledger::SnapshotRecords records(log);
  for (const auto position : value_or_fail(records.positions(family_name), "family snapshots")) {
    if (auto removed = records.remove(family_name, position); !removed) fail("remove a family snapshot", removed.error());
  }
  auto reports_as_of = [&](const std::string& name, const std::string& how) {
    std::vector<double> ms, fold_ms;
    std::size_t reports = 0, open = 0;
    for (std::size_t i = 0; i < kReportSamples; ++i) {
      const ledger::Position point = 1 + random() % head;
      const Stopwatch watch;
      auto folded = value_or_fail(replay::fold_stream_family_as_of(log, commands::kAbuseReportStreams,
                                                                   at_position(point), clock.now()),
                                  "abuse reports as-of");
      fold_ms.push_back(watch.micros() / 1000);
      for (const auto& [id, report] : folded.state.reports) {
        open += projections::abuse_sla(report, projections::BusinessCalendar::geneva(), folded.default_at).open();
      }
      ms.push_back(watch.micros() / 1000);
      reports += folded.state.reports.size();
    }
    add(metrics, name + "_mean_reports", "abuse reports as of a random position: reports folded, mean",
        static_cast<double>(reports) / kReportSamples, "reports");
    add(metrics, name + "_mean_open", "abuse reports as of a random position: open, mean",
        static_cast<double>(open) / kReportSamples, "reports");
    percentiles(metrics, name, "abuse reports as of a random position (" + how + "), SLA included", ms);
    percentiles(metrics, name + "_fold", "abuse reports as of a random position (" + how + "): the fold alone", fold_ms);
  };
  std::fprintf(stderr, "abuse reports as of a random position, from their streams' whole history\n");
  reports_as_of("reports_history_as_of", "their streams' whole history");

  std::fprintf(stderr, "abuse reports' own snapshots, every %llu positions\n",
               static_cast<unsigned long long>(projections::kFamilySnapshotEvery));
  {
    const projections::StreamFamily family{.prefix = std::string(commands::kAbuseReportStreams)};
    const Stopwatch watch;
    while (value_or_fail(projections::store_due_family_snapshot(log, family), "family snapshot") <= head) {
    }
    add(metrics, "family_snapshots_seconds", "abuse reports' snapshots: all of a store without them, stored", watch.seconds(), "s");
    const auto positions = value_or_fail(records.positions(family_name), "family snapshots");
    add(metrics, "family_snapshots", "abuse reports' snapshots stored", static_cast<double>(positions.size()), "snapshots");
    std::size_t bytes = 0;
    if (!positions.empty()) {
      for (const auto& chunk : value_or_fail(records.read(family_name, positions.back()), "family snapshot")) bytes += chunk.size();
    }
    add(metrics, "family_snapshot_mib", "the newest abuse reports' snapshot (before RocksDB compression)",
        static_cast<double>(bytes) / (1 << 20), "MiB");
  }
  std::fprintf(stderr, "abuse reports as of a random position, from their nearest snapshot\n");
  reports_as_of("reports_as_of", "their nearest snapshot and their streams after it");
}

int run(const DomainOptions& options) {
  std::printf("replay_bench: dir=%s users=%zu orgs=%zu grants=%zu seed=%llu\n", options.dir.c_str(), options.users,
              options.orgs, options.support_grants, static_cast<unsigned long long>(options.seed));
  std::fflush(stdout);
  std::vector<Metric> metrics;
  // The store goes into a fresh directory that is removed at the end, or into --keep-store's, kept
  // for bench/run_startup_bench.sh (serve on it).
  std::optional<TempDir> scratch;
  const std::string store = options.keep_store.empty() ? scratch.emplace(options.dir, "replay_bench").path() : options.keep_store;
  BenchClock clock(kLogInstant);
  // A --keep-store directory that already holds a store is reused as it is (its log written by an
  // earlier run with the same shape): the other figures in minutes, not the half hour of writing.
  const bool reused = !options.keep_store.empty() && std::filesystem::exists(std::filesystem::path(store) / "CURRENT");
  if (reused) {
    std::fprintf(stderr, "reusing the log in %s\n", store.c_str());
  } else {
    auto ledger = value_or_fail(ledger::Ledger::open(store, {.clock = &clock}), "open");
    std::fprintf(stderr, "writing the log\n");
    const auto stats = write_log(*ledger, LogShape{options.users, options.orgs, options.support_grants, options.abuse_reports, options.seed});
    add(metrics, "log_events", "log: events", static_cast<double>(stats.events), "events");
    add(metrics, "log_abuse_events", "log: abuse report events", static_cast<double>(stats.abuse_events), "events");
    add(metrics, "log_write_rate", "log: write rate", static_cast<double>(stats.events) / stats.seconds, "events/s");
  }
  clock.set(kCheckInstant);
  auto ledger = value_or_fail(ledger::Ledger::open(store, {.clock = &clock}), "reopen");
  const auto head = ledger->head().position;
  std::mt19937_64 random(options.seed);
  if (options.only == "reports") {
    abuse_reports_figures(*ledger, head, clock, random, metrics);
    print_table(metrics);
    return 0;
  }

  std::fprintf(stderr, "replay of the whole log, no snapshot\n");
  {
    const Stopwatch watch;
    auto folded = value_or_fail(projections::fold_as_of(*ledger, std::nullopt, clock.now()), "replay");
    const double seconds = watch.seconds();
    const Stopwatch digesting;
    const auto digests = projections::projection_digests(folded.state);
    add(metrics, "replay_seconds", "replay --to head without snapshot", seconds, "s");
    add(metrics, "replay_rate", "replay rate (read + evolve)", static_cast<double>(head) / seconds, "events/s");
    add(metrics, "digest_seconds", "digests of every projection", digesting.seconds(), "s");
  }

  std::fprintf(stderr, "start-up without snapshot\n");
  double start_without = 0;
  {
    const Stopwatch watch;
    auto processor = value_or_fail(commands::CommandProcessor::start(*ledger, clock), "start");
    start_without = watch.seconds();
    add(metrics, "start_without_snapshot", "CommandProcessor::start, no snapshot", start_without, "s");
    // Snapshots at 40 % and 70 % (folded) and at the head (the live state), as a server leaves them.
    for (double share : {0.4, 0.7}) {
      auto folded = value_or_fail(
          projections::fold_as_of(*ledger, at_position(static_cast<ledger::Position>(head * share)), clock.now()),
          "fold");
      if (auto saved = projections::save_snapshot(*ledger, folded.state, ledger::SnapshotPace::at_once); !saved) fail("save", saved.error());
    }
    const Stopwatch saving;
    auto saved =
        processor->read([&](const projections::State& state) { return projections::save_snapshot(*ledger, state, ledger::SnapshotPace::at_once); });
    if (!saved) fail("save at head", saved.error());
    add(metrics, "snapshot_save_seconds", "snapshot of the whole state: encode + store (synced)", saving.seconds(),
        "s");
  }
  std::size_t snapshot_bytes = 0;
  for (const auto& chunk : value_or_fail(ledger::SnapshotRecords(*ledger).read(projections::kStateSnapshot, head), "read snapshot")) {
    snapshot_bytes += chunk.size();
  }
  add(metrics, "snapshot_mib", "snapshot size (before RocksDB compression)",
      static_cast<double>(snapshot_bytes) / (1 << 20), "MiB");

  std::fprintf(stderr, "start-up with a snapshot at the head\n");
  {
    const Stopwatch watch;
    auto processor = value_or_fail(commands::CommandProcessor::start(*ledger, clock), "start with snapshot");
    const double seconds = watch.seconds();
    add(metrics, "start_with_snapshot", "CommandProcessor::start from the snapshot at the head", seconds, "s");
    add(metrics, "start_speedup", "start-up: without / with snapshot", start_without / seconds, "x");
  }

  std::fprintf(stderr, "global as-of from the nearest snapshot\n");
  {
    std::vector<double> ms;
    for (std::size_t i = 0; i < kGlobalSamples; ++i) {
      const ledger::Position point = head * 4 / 10 + random() % (head - head * 4 / 10);
      const Stopwatch watch;
      auto folded = value_or_fail(projections::fold_as_of(*ledger, at_position(point), clock.now()), "global as-of");
      ms.push_back(watch.micros() / 1000);
    }
    percentiles(metrics, "global_as_of", "global as-of at a random position after the first snapshot", ms);
  }

  abuse_reports_figures(*ledger, head, clock, random, metrics);

  // A server run with --keep-versions 64 keeps a version every 4096 positions of its recent past:
  // as-of questions about that past fold only the few events after the kept version.
  std::fprintf(stderr, "global as-of in the recent past, from the versions a running processor keeps\n");
  {
    auto processor = value_or_fail(commands::CommandProcessor::start(*ledger, clock), "start for recent as-of");
    processor->keep_versions(4096, 64);  // as serve --keep-versions 64
    const ledger::Position before = ledger->head().position;
    auto batch = processor->read([&](const projections::State& state) {
      return make_commands(state, kRecentCommands, options.seed, "recent-");
    });
    const auto run = submit_async(*processor, std::move(batch), 64);
    if (run.failed > 0) throw BenchFailure("recent commands: " + run.first_problem);
    const ledger::Position after = ledger->head().position;
    std::vector<double> ms;
    for (std::size_t i = 0; i < kRecentSamples; ++i) {
      const ledger::Position point = before + random() % (after - before);
      const Stopwatch watch;
      const auto start = processor->version_at_or_before(point);
      if (!start) throw BenchFailure("no version kept at or before " + std::to_string(point));
      auto folded = value_or_fail(projections::fold_as_of_from(*ledger, *start, at_position(point), clock.now()), "recent as-of");
      ms.push_back(watch.micros() / 1000);
    }
    add(metrics, "recent_commands", "commands through the processor before the recent as-of", static_cast<double>(after - before), "events");
    percentiles(metrics, "recent_as_of", "global as-of at a random position of the recent past (kept versions)", ms);
  }

  std::fprintf(stderr, "as-of questions about one organization at random past positions\n");
  {
    std::vector<double> membership, check;
    for (std::size_t i = 0; i < kOrgSamples; ++i) {
      const std::string org = "o" + std::to_string(random() % options.orgs);
      const ledger::Position point = 1 + random() % head;
      const Stopwatch watch;
      auto folded = value_or_fail(replay::fold_org_as_of(*ledger, org, at_position(point), clock.now()), "org as-of");
      std::size_t members = 0;
      if (auto it = folded.state.organizations.find(org); it != folded.state.organizations.end()) {
        members = api::members_json(org, it->second, folded.as_of_position)["members"].size();
      }
      membership.push_back(watch.micros() / 1000);
      const Stopwatch checking;
      auto again = value_or_fail(replay::fold_org_as_of(*ledger, org, at_position(point), clock.now()), "org as-of");
      if (auto it = again.state.organizations.find(org);
          it != again.state.organizations.end() && !it->second.members.empty()) {
        const auto& user = it->second.members.begin()->first;
        const auto product = it->second.products.empty() ? std::string("none") : it->second.products.begin()->first;
        (void)projections::check(again.state, {org, user, projections::Action::product_access, product, {}, {}},
                                 again.default_at);
      }
      check.push_back(checking.micros() / 1000);
      (void)members;
    }
    percentiles(metrics, "org_members_as_of", "members of one organization as of a random position (fold + JSON)",
                membership);
    percentiles(metrics, "org_check_as_of", "a check in one organization as of a random position (fold + check)",
                check);
  }

  std::fprintf(stderr, "export rate (JSON Lines with the envelope in base64, to memory)\n");
  {
    std::size_t bytes = 0, events = 0;
    const Stopwatch watch;
    // The export's own formatting (api/export_format.h), to memory instead of stdout.
    auto exported = projections::for_each_event(*ledger, 1, head, [&](const ledger::RecordedEvent& event) {
      bytes += api::export_jsonl_line(event, api::PersonalView{}).size() + 1;
      ++events;
      return true;
    });
    if (!exported) fail("export", exported.error());
    const double seconds = watch.seconds();
    add(metrics, "export_rate", "export --format jsonl (to memory)", static_cast<double>(events) / seconds, "events/s");
    add(metrics, "export_mib_per_s", "export bytes", static_cast<double>(bytes) / (1 << 20) / seconds, "MiB/s");
  }
  add(metrics, "rss_peak", "RSS peak of the run (VmHWM)", peak_resident_mib(), "MiB");
  print_table(metrics);
  return 0;
}

}  // namespace
}  // namespace orgledger::bench

int main(int argc, char** argv) {
  using namespace orgledger::bench;
  return bench_main("replay_bench", parse_domain_options(argc, argv), [](const auto& options) { return run(options); });
}
