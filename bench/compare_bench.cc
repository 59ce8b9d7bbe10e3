// compare_bench: orgledger beside PostgreSQL and SQLite on one seeded workload (issue 6) — durable
// commands per second and their latency at each concurrency, the full rebuild / read rate, bytes on
// disk per event, and the permission question in-process against the SQL query. Every measurement
// is repeated; bench/compare starts PostgreSQL, adds db_bench and writes the report.
//
// Output, one line per measurement on stdout (the report reads only these):
//   compare SYSTEM MEASURE CONCURRENCY UNIT RUN1 RUN2 …     (CONCURRENCY is "-" where none applies)
// Progress goes to stderr.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "bench_support.h"
#include "compare_options.h"
#include "compare_workload.h"
#include "domain_commands.h"
#include "durable_run.h"
#include "orgledger/commands/processor.h"
#include "orgledger/projections/access.h"
#include "peer.h"
#include "peer_postgres.h"
#include "peer_sqlite.h"
#include "read_workloads.h"

namespace orgledger::bench {
namespace {

constexpr std::size_t kFillInFlight = 256;

void progress(const std::string& line) {
  std::fprintf(stderr, "compare: %s\n", line.c_str());
  std::fflush(stderr);
}

void record(const std::string& system, const std::string& measure, const std::string& concurrency,
            const std::string& unit, const std::vector<double>& runs) {
  std::printf("compare %s %s %s %s", system.c_str(), measure.c_str(), concurrency.c_str(), unit.c_str());
  for (double value : runs) std::printf(" %.6g", value);
  std::printf("\n");
  std::fflush(stdout);
}

ledger::Micros now_micros() {
  return std::chrono::duration_cast<std::chrono::microseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Times `answer` on each request alone, `runs` times; records p50, p99 and the rate under
// `measure`; returns the answers of the first run.
template <typename Answer>
std::vector<bool> time_checks(const std::vector<projections::CheckRequest>& requests, int runs, const std::string& measure,
                              Answer answer) {
  std::vector<bool> answers;
  std::vector<double> p50, p99, rates;
  for (int run = 0; run < runs; ++run) {
    std::vector<double> nanos;
    nanos.reserve(requests.size());
    std::size_t allowed = 0;
    const Stopwatch whole;
    for (const auto& request : requests) {
      const auto start = std::chrono::steady_clock::now();
      const bool yes = answer(request);
      nanos.push_back(std::chrono::duration<double, std::nano>(std::chrono::steady_clock::now() - start).count());
      allowed += yes;
      if (run == 0) answers.push_back(yes);
    }
    rates.push_back(static_cast<double>(requests.size()) / whole.seconds());
    p50.push_back(quantile(nanos, 0.5) / 1000);
    p99.push_back(quantile(nanos, 0.99) / 1000);
    if (allowed == 0) throw BenchFailure("no check was allowed: the questions miss the state");
  }
  record("orgledger", measure + "_p50", "-", "us", p50);
  record("orgledger", measure + "_p99", "-", "us", p99);
  record("orgledger", measure + "_per_second", "-", "checks/s", rates);
  return answers;
}

// The yes/no question as the SQL query asks it (projections::allows), and the same with every
// reason gathered (projections::check, what `explain` shows); they must agree.
std::vector<bool> orgledger_checks(const projections::State& state, const std::vector<AccessQuestion>& questions,
                                   int runs, ledger::Micros at) {
  std::vector<projections::CheckRequest> requests;
  for (const auto& question : questions) {
    requests.push_back({.org = question.org, .user = question.user, .action = projections::Action::product_access,
                        .product = question.product, .scope = {}, .resource = {}});
  }
  const projections::StateView view(state);
  auto answers = time_checks(requests, runs, "check",
                             [&](const projections::CheckRequest& request) { return projections::allows(view, request, at); });
  const auto explained = time_checks(requests, runs, "check_with_reasons", [&](const projections::CheckRequest& request) {
    return projections::check(view, request, at).allowed;
  });
  if (answers != explained) throw BenchFailure("allows() and check() disagree");
  return answers;
}

// What the rest of the comparison needs from orgledger's own store of the whole workload.
struct Prepared {
  std::vector<PeerCommand> peer_commands;
  std::vector<ledger::CommandAppend> appends;  // the same, for the ledger alone
  ReadModel read_model;
  std::vector<AccessQuestion> questions;  // the first sql_checks of them go to the peers too
  std::vector<bool> answers;
  std::size_t events = 0;
};

// The whole workload through orgledger (also its fill), then its figures that need a full store:
// bytes per event, rebuild and read rates, checks.
Prepared prepare(const CompareOptions& options, const std::vector<commands::Command>& workload) {
  Prepared out;
  const TempDir directory(options.dir, "compare_store");
  {
    auto ledger = value_or_fail(ledger::Ledger::open(directory.path()), "open " + directory.path());
    auto processor = value_or_fail(commands::CommandProcessor::start(*ledger, ledger::system_clock()), "start");
    progress("orgledger: the whole workload (" + std::to_string(workload.size()) + " commands)");
    const CommandRun fill = submit_async(*processor, workload, kFillInFlight);
    if (fill.refused + fill.failed > 0) {
      throw BenchFailure(std::to_string(fill.refused + fill.failed) + " commands of the workload refused, the first: " +
                         fill.first_problem);
    }
    out.events = ledger->head().position;
    processor->read([&](const projections::State& state) {
      out.read_model = read_model_of(state);
      progress("read model: " + std::to_string(out.read_model.members.size()) + " members, " +
               std::to_string(out.read_model.partner_managers.size()) + " partner managers");
      out.questions = access_questions(state, options.checks, options.seed + 1);
      progress("orgledger: in-process checks");
      out.answers = orgledger_checks(state, out.questions, options.runs, now_micros());
    });
  }  // closed: memtables flushed, as a stopped server leaves it
  const double events = static_cast<double>(out.events);
  record("workload", "commands", "-", "commands", {static_cast<double>(workload.size())});
  record("workload", "events", "-", "events", {events});
  record("orgledger", "bytes_per_event", "-", "bytes", {static_cast<double>(store_bytes(directory.path())) / events});

  std::vector<double> rebuild, read;
  for (int run = 0; run < options.runs; ++run) {
    progress("orgledger: rebuild run " + std::to_string(run + 1));
    auto ledger = value_or_fail(ledger::Ledger::open(directory.path()), "open " + directory.path());
    {
      const Stopwatch elapsed;
      auto processor = value_or_fail(commands::CommandProcessor::start(*ledger, ledger::system_clock()), "rebuild");
      rebuild.push_back(events / elapsed.seconds());
    }
    const SweepRun sweep = measure_sweep(*ledger, 10'000);
    read.push_back(sweep.read.events_per_second());
    if (run == 0) {
      out.peer_commands = peer_commands_from_log(*ledger);
      out.appends = appends_from_log(*ledger);
      record("orgledger", "stored_bytes", "-", "bytes", {sweep.stored_bytes_mean});
    }
  }
  record("orgledger", "rebuild", "-", "events/s", rebuild);
  record("orgledger", "read", "-", "events/s", read);
  std::size_t payload_bytes = 0;
  for (const auto& command : out.peer_commands) {
    for (const auto& event : command.events) payload_bytes += event.payload.size();
  }
  record("workload", "payload_bytes", "-", "bytes", {static_cast<double>(payload_bytes) / events});
  return out;
}

void record_durable(const std::string& system, std::size_t concurrency, const std::vector<DurableRun>& runs) {
  std::vector<double> commands, events, p50, p99, retries, refused;
  for (const auto& run : runs) {
    commands.push_back(run.commands_per_second());
    events.push_back(run.events_per_second());
    p50.push_back(quantile(run.micros, 0.5));
    p99.push_back(quantile(run.micros, 0.99));
    retries.push_back(static_cast<double>(run.retries));
    refused.push_back(static_cast<double>(run.refused));
  }
  const std::string c = std::to_string(concurrency);
  record(system, "commands_per_second", c, "commands/s", commands);
  record(system, "events_per_second", c, "events/s", events);
  record(system, "latency_p50", c, "us", p50);
  record(system, "latency_p99", c, "us", p99);
  record(system, "retries", c, "transactions", retries);
  record(system, "refused", c, "commands", refused);
}

void durable_comparison(const CompareOptions& options, const std::vector<commands::Command>& workload,
                        const Prepared& prepared, const std::vector<std::unique_ptr<SqlPeer>>& peers) {
  for (std::size_t concurrency : options.concurrency) {
    std::vector<DurableRun> ours, appends;
    std::vector<std::vector<DurableRun>> theirs(peers.size());
    const bool peers_too = concurrency <= options.peer_max_concurrency;
    // Runs alternate between the systems, so that a noisy neighbour spreads over all of them.
    for (int run = 0; run < options.runs; ++run) {
      progress("durable commands, concurrency " + std::to_string(concurrency) + ", run " + std::to_string(run + 1));
      ours.push_back(orgledger_durable_run(options.dir, workload, concurrency, options.seconds));
      if (ours.back().refused > 0) throw BenchFailure("orgledger refused a command: " + ours.back().first_problem);
      appends.push_back(ledger_append_run(options.dir, prepared.appends, concurrency, options.seconds));
      if (!peers_too) continue;
      for (std::size_t p = 0; p < peers.size(); ++p) {
        theirs[p].push_back(peer_durable_run(*peers[p], prepared.peer_commands, concurrency, options.seconds));
      }
    }
    record_durable("orgledger", concurrency, ours);
    record_durable("orgledger-append", concurrency, appends);
    for (std::size_t p = 0; p < peers.size() && peers_too; ++p) record_durable(peers[p]->name(), concurrency, theirs[p]);
  }
}

void peer_reads_and_checks(const CompareOptions& options, const Prepared& prepared, SqlPeer& peer) {
  progress(peer.name() + ": bulk load of " + std::to_string(prepared.events) + " events");
  peer.bulk_load(prepared.peer_commands);
  record(peer.name(), "bytes_per_event", "-", "bytes",
         {static_cast<double>(peer.bytes_on_disk()) / static_cast<double>(prepared.events)});
  std::vector<double> reads;
  for (int run = 0; run < options.runs; ++run) reads.push_back(peer.read_all(prepared.events).events_per_second());
  record(peer.name(), "read", "-", "events/s", reads);

  progress(peer.name() + ": read model and SQL checks");
  peer.load_read_model(prepared.read_model);
  const std::vector<AccessQuestion> questions(
      prepared.questions.begin(),
      prepared.questions.begin() + static_cast<std::ptrdiff_t>(std::min(options.sql_checks, prepared.questions.size())));
  std::vector<double> p50, p99, rates, mismatches;
  std::optional<std::size_t> first_difference;
  for (int run = 0; run < options.runs; ++run) {
    std::vector<double> micros;
    const Stopwatch whole;
    const auto answers = peer.ask(questions, micros);
    rates.push_back(static_cast<double>(questions.size()) / whole.seconds());
    p50.push_back(quantile(micros, 0.5));
    p99.push_back(quantile(micros, 0.99));
    std::size_t differ = 0;
    for (std::size_t i = 0; i < answers.size(); ++i) {
      if (answers[i] == prepared.answers[i]) continue;
      if (differ++ == 0) first_difference = i;
    }
    mismatches.push_back(static_cast<double>(differ));
  }
  record(peer.name(), "check_p50", "-", "us", p50);
  record(peer.name(), "check_p99", "-", "us", p99);
  record(peer.name(), "checks_per_second", "-", "checks/s", rates);
  record(peer.name(), "check_mismatches", "-", "answers", mismatches);
  // A query that answers otherwise than check() would make the comparison meaningless.
  if (first_difference) {
    const auto& question = questions[*first_difference];
    throw BenchFailure(peer.name() + " answers otherwise than orgledger: can " + question.user + " access " +
                       question.product + " of " + question.org + "? orgledger says " +
                       (prepared.answers[*first_difference] ? "yes" : "no"));
  }
}

int run_compare(const CompareOptions& options) {
  progress("workload: " + std::to_string(options.commands) + " commands, seed " + std::to_string(options.seed));
  const auto workload = make_workload({.commands = options.commands, .seed = options.seed,
                                       // a small workload runs fewer scripts at once, so that they get to
                                       // their later steps (partners, support, abuse) too
                                       .interleaved = std::clamp<std::size_t>(options.commands / 64, 16, 1024),
                                       .now = now_micros()});
  const Prepared prepared = prepare(options, workload);

  const TempDir sqlite_directory(options.dir, "compare_sqlite");
  std::vector<std::unique_ptr<SqlPeer>> peers;
  if (!options.postgres.empty()) peers.push_back(make_postgres_peer(options.postgres));
  peers.push_back(make_sqlite_peer(sqlite_directory.path()));

  durable_comparison(options, workload, prepared, peers);
  for (auto& peer : peers) peer_reads_and_checks(options, prepared, *peer);
  return 0;
}

}  // namespace
}  // namespace orgledger::bench

int main(int argc, char** argv) {
  using namespace orgledger::bench;
  return bench_main("compare_bench", parse_compare_options(argc, argv), run_compare);
}
