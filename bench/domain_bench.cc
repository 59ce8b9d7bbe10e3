// domain_bench: the domain on a realistic log (issue 3) — writing it, rebuilding the state from it,
// the state's memory, in-process permission checks, and commands through the processor. One run,
// one fresh store. Prints a human table and one `metric NAME VALUE UNIT` line per figure on
// stdout; progress goes to stderr. See run_domain_bench.sh and RESULTS.md.
#include <malloc.h>

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "bench_clock.h"
#include "bench_support.h"
#include "domain_checks.h"
#include "domain_commands.h"
#include "domain_log.h"
#include "domain_options.h"
#include "metrics.h"
#include "orgledger/commands/processor.h"
#include "orgledger/projections/event_stream.h"
#include "orgledger/projections/evolve.h"
#include "read_workloads.h"

namespace orgledger::bench {
namespace {

constexpr std::size_t kReadChunk = 10'000;  // as CommandProcessor::start reads
constexpr double kMiB = 1024.0 * 1024.0;

void progress(const char* what) {
  std::fprintf(stderr, "%s\n", what);
  std::fflush(stderr);
}

// Gives the heap's free pages back to the system, so that the resident set measured next is what
// is live, not what an earlier phase left behind in malloc's free lists.
void release_free_memory() { malloc_trim(0); }

constexpr auto add = add_metric;  // every figure: recorded and logged

double rate(std::size_t count, double seconds) { return seconds > 0 ? static_cast<double>(count) / seconds : 0; }

ledger::LedgerOptions ledger_options(const BenchClock& clock) { return ledger::LedgerOptions{.clock = &clock}; }

void log_section(const DomainOptions& options, const std::string& directory, const BenchClock& clock,
                 std::vector<Metric>& metrics) {
  std::fprintf(stderr, "log: %zu users, %zu organizations, %zu support grants (seed %llu)\n", options.users,
               options.orgs, options.support_grants, static_cast<unsigned long long>(options.seed));
  LogStats stats;
  {
    auto ledger = value_or_fail(ledger::Ledger::open(directory, ledger_options(clock)), "open " + directory);
    stats = write_log(*ledger, LogShape{.users = options.users,
                                        .orgs = options.orgs,
                                        .support_grants = options.support_grants,
                                        .seed = options.seed});
  }  // closed, as a restarted server would find it
  const auto count = [](std::size_t n) { return static_cast<double>(n); };
  add(metrics, "log_events", "log: events", count(stats.events), "events");
  add(metrics, "log_commands", "log: commands (1 per org, 1000 users or tickets)", count(stats.commands), "commands");
  add(metrics, "log_users", "log: UserRegistered", count(stats.users), "events");
  add(metrics, "log_orgs", "log: OrganizationCreated", count(stats.orgs), "events");
  add(metrics, "log_members", "log: MemberAdded (legal reps included)", count(stats.members), "events");
  add(metrics, "log_administrators", "log: of which administrators", count(stats.administrators), "events");
  add(metrics, "log_collaborators", "log: of which collaborators", count(stats.collaborators), "events");
  add(metrics, "log_externals", "log: of which externals", count(stats.externals), "events");
  add(metrics, "log_members_with_products", "log: of which with a product (R7)", count(stats.members_with_products),
      "events");
  add(metrics, "log_products", "log: ProductRegistered", count(stats.products), "events");
  add(metrics, "log_teams", "log: TeamCreated", count(stats.teams), "events");
  add(metrics, "log_team_member_events", "log: TeamMembersAdded", count(stats.team_member_events), "events");
  add(metrics, "log_team_memberships", "log: users named by TeamMembersAdded", count(stats.team_memberships), "users");
  add(metrics, "log_team_product_grants", "log: TeamProductAccessGranted", count(stats.team_product_grants), "events");
  add(metrics, "log_product_access_grants", "log: ProductAccessGranted", count(stats.product_access_grants), "events");
  add(metrics, "log_support_grants", "log: SupportAccessGranted", count(stats.support_grants), "events");
  add(metrics, "log_tickets_assigned", "log: SupportTicketAssigned", count(stats.tickets_assigned), "events");
  add(metrics, "log_write_seconds", "log: write time (append_async, 64 in flight)", stats.seconds, "s");
  add(metrics, "log_write_rate", "log: write rate", rate(stats.events, stats.seconds), "events/s");
  add(metrics, "store_mib", "store on disk after close", static_cast<double>(directory_bytes(directory)) / kMiB, "MiB");
}

// What the folded state holds, counted after the fold (not timed).
void state_summary(const projections::State& state, std::vector<Metric>& metrics) {
  std::size_t members = 0, products = 0, teams = 0, grants = 0;
  for (const auto& [id, org] : state.organizations) {
    members += org.members.size();
    products += org.products.size();
    teams += org.teams.size();
    grants += org.grants.size();
  }
  const auto count = [](std::size_t n) { return static_cast<double>(n); };
  add(metrics, "state_users", "state: users", count(state.users.size()), "users");
  add(metrics, "state_orgs", "state: organizations", count(state.organizations.size()), "orgs");
  add(metrics, "state_members", "state: memberships", count(members), "members");
  add(metrics, "state_products", "state: products", count(products), "products");
  add(metrics, "state_teams", "state: teams", count(teams), "teams");
  add(metrics, "state_support_grants", "state: support grants", count(grants), "grants");
  add(metrics, "state_tickets", "state: tickets", count(state.tickets.size()), "tickets");
  add(metrics, "state_streams", "state: stream versions kept", count(state.stream_versions.size()), "streams");
}

// Reads the whole log into `state` as CommandProcessor::start does (projections::for_each_event:
// a reader thread ahead of the fold), and times the reading alone for comparison.
void rebuild_section(const ledger::Ledger& ledger, projections::State& state, std::vector<Metric>& metrics) {
  progress("rebuild: Ledger::read sweep alone");
  const SweepRun sweep = measure_sweep(ledger, kReadChunk);
  add(metrics, "read_rate", "Ledger::read sweep alone (chunks of 10000)", sweep.read.events_per_second(), "events/s");
  add(metrics, "envelope_bytes_mean", "mean envelope size", sweep.envelope_bytes_mean, "bytes");

  release_free_memory();
  const double before = resident_mib();
  progress("rebuild: read + evolve into a State");
  ReadRun fold;
  const Stopwatch folding;
  const auto folded =
      projections::for_each_event(ledger, 1, ledger.head().position, [&](const ledger::RecordedEvent& event) {
        projections::evolve(state, event);
        ++fold.events;
        return true;
      });
  if (!folded) fail("rebuild", folded.error());
  fold.seconds = folding.seconds();
  release_free_memory();
  const double after = resident_mib();
  add(metrics, "rebuild_seconds", "rebuild: read + evolve, whole log", fold.seconds, "s");
  add(metrics, "rebuild_rate", "rebuild: read + evolve (target >= 1 M)", fold.events_per_second(), "events/s");
  add(metrics, "rss_before_fold", "RSS before the fold (RocksDB warm)", before, "MiB");
  add(metrics, "rss_after_fold", "RSS after the fold", after, "MiB");
  add(metrics, "state_rss", "RSS of the State (after - before; target <= 2048)", after - before, "MiB");
  add(metrics, "state_bytes_per_event", "RSS of the State per event",
      (after - before) * kMiB / static_cast<double>(fold.events), "bytes");
  state_summary(state, metrics);
}

void checks_section(const DomainOptions& options, const projections::State& state, std::vector<Metric>& metrics) {
  std::fprintf(stderr, "checks: drawing %zu requests\n", options.checks);
  const auto cases = make_check_cases(state, options.checks, options.seed);
  progress("checks: timing each, then in batches of 16");
  const CheckRun run = run_checks(state, cases, kCheckInstant);
  add(metrics, "check_timer_overhead", "check: steady_clock::now() pair, median", run.timer_nanos, "ns");
  add(metrics, "check_p50", "check p50, each timed alone", quantile(run.nanos, 0.50) / 1000, "us");
  add(metrics, "check_p90", "check p90, each timed alone", quantile(run.nanos, 0.90) / 1000, "us");
  add(metrics, "check_p99", "check p99, each timed alone (target < 5)", quantile(run.nanos, 0.99) / 1000, "us");
  add(metrics, "check_p999", "check p99.9, each timed alone", quantile(run.nanos, 0.999) / 1000, "us");
  add(metrics, "check_max", "check max, each timed alone", quantile(run.nanos, 1.0) / 1000, "us");
  add(metrics, "check_batch16_p50", "check p50 of batch-of-16 means", quantile(run.batch_nanos, 0.50) / 1000, "us");
  add(metrics, "check_batch16_p99", "check p99 of batch-of-16 means", quantile(run.batch_nanos, 0.99) / 1000, "us");
  add(metrics, "check_rate", "checks/s on 1 thread (timed alone)", rate(cases.size(), run.seconds), "checks/s");
  std::size_t unexpected = 0;
  for (std::size_t k = 0; k < kCheckKinds; ++k) {
    const auto kind = static_cast<CheckKind>(k);
    const auto& tally = run.tally[k];
    const double share =
        tally.asked > 0 ? 100.0 * static_cast<double>(tally.allowed) / static_cast<double>(tally.asked) : 0;
    add(metrics, std::string("check_allowed_") + to_string(kind),
        "check mix: " + std::string(to_string(kind)) + " (" + std::to_string(tally.asked) + "), allowed", share, "%");
    if (auto expected = expected_outcome(kind)) {
      const std::size_t wrong = *expected ? tally.asked - tally.allowed : tally.allowed;
      if (wrong > 0)
        std::fprintf(stderr, "WARNING: %zu checks of kind %s did not answer as built\n", wrong, to_string(kind));
      unexpected += wrong;
    }
  }
  add(metrics, "check_unexpected", "checks not answering as their kind was built", static_cast<double>(unexpected),
      "checks");
}

void command_metrics(const std::string& name, const std::string& what, const CommandRun& run,
                     std::vector<Metric>& metrics) {
  if (!run.first_problem.empty())
    std::fprintf(stderr, "WARNING: %s: first refusal: %s\n", name.c_str(), run.first_problem.c_str());
  add(metrics, name + "_rate", what + ": commands/s", run.per_second(), "commands/s");
  add(metrics, name + "_p50", what + ": latency p50", quantile(run.micros, 0.50), "us");
  add(metrics, name + "_p99", what + ": latency p99", quantile(run.micros, 0.99), "us");
  add(metrics, name + "_refused", what + ": refused or failed", static_cast<double>(run.refused + run.failed),
      "commands");
}

// The processor rebuilds its own state: the bench's State is dropped first, so that the resident
// set afterwards is that of a server holding one state.
void processor_section(const DomainOptions& options, ledger::Ledger& ledger, const BenchClock& clock,
                       projections::State& state, std::vector<Metric>& metrics) {
  progress("commands: drawing the commands");
  auto commands = make_commands(state, options.async_commands + options.blocking_commands, options.seed, "bench-");
  std::vector<commands::Command> blocking(
      std::make_move_iterator(commands.begin() + static_cast<std::ptrdiff_t>(options.async_commands)),
      std::make_move_iterator(commands.end()));
  commands.resize(options.async_commands);
  state = projections::State{};
  release_free_memory();
  add(metrics, "rss_without_state", "RSS with the State dropped", resident_mib(), "MiB");

  progress("commands: CommandProcessor::start (rebuild)");
  const Stopwatch starting;
  auto processor = value_or_fail(commands::CommandProcessor::start(ledger, clock), "CommandProcessor::start");
  const double start_seconds = starting.seconds();
  release_free_memory();
  add(metrics, "processor_start_seconds", "CommandProcessor::start (rebuild)", start_seconds, "s");
  add(metrics, "processor_start_rate", "CommandProcessor::start rate", rate(ledger.head().position, start_seconds),
      "events/s");
  add(metrics, "rss_total", "RSS total after start (one State + RocksDB)", resident_mib(), "MiB");

  std::fprintf(stderr, "commands: %zu with %zu in flight\n", commands.size(), options.async_in_flight);
  const CommandRun async = submit_async(*processor, std::move(commands), options.async_in_flight);
  command_metrics("commands_async", std::to_string(options.async_in_flight) + " in flight", async, metrics);
  std::fprintf(stderr, "commands: %zu blocking, 1 in flight\n", blocking.size());
  const CommandRun one = submit_blocking(*processor, std::move(blocking));
  command_metrics("commands_blocking", "1 in flight (blocking submit)", one, metrics);
}

int run(const DomainOptions& options) {
  std::printf("domain_bench: dir=%s users=%zu orgs=%zu grants=%zu seed=%llu checks=%zu commands=%zu+%zu\n",
              options.dir.c_str(), options.users, options.orgs, options.support_grants,
              static_cast<unsigned long long>(options.seed), options.checks, options.async_commands,
              options.blocking_commands);
  std::fflush(stdout);
  std::vector<Metric> metrics;
  TempDir directory(options.dir, "domain_bench");
  BenchClock clock(kLogInstant);
  log_section(options, directory.path(), clock, metrics);

  progress("rebuild: reopening the store");
  const Stopwatch opening;
  auto ledger = value_or_fail(ledger::Ledger::open(directory.path(), ledger_options(clock)), "reopen");
  add(metrics, "open_ms", "Ledger::open of the written store", opening.micros() / 1000, "ms");
  projections::State state;
  rebuild_section(*ledger, state, metrics);
  // Checks and commands happen an hour after the log: the grants are active (S2).
  clock.set(kCheckInstant);
  checks_section(options, state, metrics);
  processor_section(options, *ledger, clock, state, metrics);
  add(metrics, "rss_peak", "RSS peak of the run (VmHWM)", peak_resident_mib(), "MiB");
  print_table(metrics);
  return 0;
}

}  // namespace
}  // namespace orgledger::bench

int main(int argc, char** argv) {
  using namespace orgledger::bench;
  return bench_main("domain_bench", parse_domain_options(argc, argv), [](const auto& options) { return run(options); });
}
