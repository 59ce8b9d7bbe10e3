// flood_bench (issue 11): a costly-query flood beside a legitimate client, on a real server over
// loopback. A log of at least 1 M events (the issue-3 generator, domain_log.h); then, in the same
// run, the p99 of GET /v1/check and of durable POST /v1/commands measured twice: once alone, once
// while one read token keeps 8 concurrent global as-of questions (GET /v1/abuse-reports?as_of=<a
// random position>) going in a loop, ignoring every Retry-After; and a third time alone, as a
// control for drift over the run. The server runs in this process
// with its default ServerOptions (one costly thread, a share of 2 per token); the clients are the
// tests' hand-written HTTP client. Prints `metric NAME VALUE UNIT` lines for run_flood_bench.sh.
#include <atomic>
#include <cstdio>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <vector>

#include "bench_options.h"
#include "bench_support.h"
#include "domain_log.h"
#include "http_client.h"
#include "orgledger/api/server.h"
#include "orgledger/api/token_store.h"
#include "orgledger/commands/processor.h"
#include "orgledger/ledger/clock.h"
#include "orgledger/projections/business_calendar.h"

namespace orgledger::bench {
namespace {

constexpr std::string_view kUsage =
    "usage: flood_bench [--dir DIR] [--users N] [--orgs N] [--seconds S] [--flooders N]\n"
    "  defaults: 300000 users and 30000 orgs (about 1.05 M events), 20 s per phase, 8 flooders\n";

struct FloodOptions {
  std::string dir = "/tmp";
  std::size_t users = 300'000;
  std::size_t orgs = 30'000;
  double seconds = 20;
  int flooders = 8;
};

std::expected<FloodOptions, std::string> parse(int argc, char** argv) {
  FloodOptions options;
  auto parsed = parse_flags(argc, argv, kUsage, [&](std::string_view name, std::string_view value) {
    if (name == "--dir") {
      options.dir = std::string(value);
      return true;
    }
    if (name == "--users") return parse_number(value, options.users);
    if (name == "--orgs") return parse_number(value, options.orgs);
    if (name == "--seconds") return parse_number(value, options.seconds);
    if (name == "--flooders") return parse_number(value, options.flooders);
    return false;
  });
  if (!parsed) return std::unexpected(parsed.error());
  return options;
}

// One measuring client's latencies, in milliseconds, and its failures.
struct Samples {
  std::vector<double> millis;
  std::size_t failures = 0;
};

// Runs `request` in a loop on one keep-alive connection until `stop`, timing each.
template <typename Request>
Samples measure(const std::atomic<bool>& stop, Request request) {
  Samples out;
  while (!stop.load()) {
    Stopwatch watch;
    const bool ok = request();
    out.millis.push_back(watch.micros() / 1000.0);
    if (!ok) ++out.failures;
  }
  return out;
}

// The server's synced writes so far (its /metrics): their count and total seconds. The disk's own
// fsync time is most of a durable command's latency, and it varies with whatever else writes to
// the disk: its mean per phase tells a slow disk from a slow server.
struct Syncs {
  double count = 0, seconds = 0;
};
Syncs synced_writes(std::uint16_t port, const std::string& token) {
  testing::HttpClient client(port, token);
  const auto body = client.get("/metrics").body;
  auto value = [&](const std::string& series) {
    const auto at = body.find("\n" + series + " ");
    return at == std::string::npos ? 0.0 : std::stod(body.substr(at + series.size() + 2));
  };
  return {value("orgledger_fsync_seconds_count"), value("orgledger_fsync_seconds_sum")};
}

struct Phase {
  Samples checks, commands;
  double mean_sync_ms = 0;
  std::map<int, std::size_t> flood_statuses;  // status → answers the flooders got
};

Phase run_phase(std::uint16_t port, const std::string& client_token, const std::string& flood_token,
                const FloodOptions& options, int flooders, std::size_t& next_user, ledger::Position head) {
  std::atomic<bool> stop{false};
  Phase phase;
  const auto syncs_before = synced_writes(port, client_token);
  std::mutex statuses_mutex;
  std::vector<std::thread> flood;
  for (int f = 0; f < flooders; ++f) {
    flood.emplace_back([&, f] {
      testing::HttpClient client(port, flood_token);
      std::mt19937_64 random(static_cast<std::uint64_t>(f) + 1);
      std::map<int, std::size_t> seen;
      while (!stop.load()) {
        const auto position = 1 + random() % head;
        ++seen[client.get("/v1/abuse-reports?as_of=" + std::to_string(position)).status];
      }
      std::lock_guard lock(statuses_mutex);
      for (auto [status, count] : seen) phase.flood_statuses[status] += count;
    });
  }
  std::thread checker([&] {
    testing::HttpClient client(port, client_token);
    std::mt19937_64 random(7);
    phase.checks = measure(stop, [&] {
      const auto org = "o" + std::to_string(random() % options.orgs);
      const auto user = "u" + std::to_string(random() % options.users);
      return client.get("/v1/check?org=" + org + "&user=" + user + "&action=org.manage_members").status == 200;
    });
  });
  std::thread committer([&] {
    testing::HttpClient client(port, client_token);
    phase.commands = measure(stop, [&] {
      const auto user = "flood-bench-" + std::to_string(next_user++);
      const auto body = R"({"type":"RegisterUser","actor":"svc:signup","user":")" + user + R"(","login":")" + user +
                        R"(@example.ch"})";
      return client.post("/v1/commands", body).status == 200;
    });
  });
  std::this_thread::sleep_for(std::chrono::duration<double>(options.seconds));
  stop.store(true);
  checker.join();
  committer.join();
  for (auto& thread : flood) thread.join();
  const auto syncs_after = synced_writes(port, client_token);
  if (syncs_after.count > syncs_before.count) {
    phase.mean_sync_ms = 1000 * (syncs_after.seconds - syncs_before.seconds) / (syncs_after.count - syncs_before.count);
  }
  return phase;
}

void report(const char* phase, const Phase& result) {
  std::printf("metric %s_check_p50 %.3f ms\n", phase, quantile(result.checks.millis, 0.50));
  std::printf("metric %s_check_p99 %.3f ms\n", phase, quantile(result.checks.millis, 0.99));
  std::printf("metric %s_check_count %zu requests\n", phase, result.checks.millis.size());
  std::printf("metric %s_check_failures %zu requests\n", phase, result.checks.failures);
  std::printf("metric %s_command_p50 %.3f ms\n", phase, quantile(result.commands.millis, 0.50));
  std::printf("metric %s_command_p99 %.3f ms\n", phase, quantile(result.commands.millis, 0.99));
  std::printf("metric %s_command_max %.3f ms\n", phase, quantile(result.commands.millis, 1.0));
  std::printf("metric %s_command_count %zu requests\n", phase, result.commands.millis.size());
  std::printf("metric %s_command_failures %zu requests\n", phase, result.commands.failures);
  std::printf("metric %s_mean_sync %.3f ms\n", phase, result.mean_sync_ms);
  for (auto [status, count] : result.flood_statuses)
    std::printf("metric %s_flood_status_%d %zu answers\n", phase, status, count);
}

int run(const FloodOptions& options) {
  TempDir dir(options.dir, "flood_bench");
  const auto& clock = ledger::system_clock();
  auto ledger = value_or_fail(ledger::Ledger::open(dir.path() + "/data", {.clock = &clock}), "open");
  const auto stats = write_log(*ledger, {options.users, options.orgs, options.orgs / 5, 1});
  std::printf("metric log_events %zu events\n", stats.events);
  std::printf("metric log_write_seconds %.1f s\n", stats.seconds);
  auto processor = commands::CommandProcessor::start(*ledger, clock);
  if (!processor) throw std::runtime_error("processor: " + processor.error().message);
  auto tokens = api::TokenStore::open(*ledger);
  if (!tokens) throw std::runtime_error("tokens: " + tokens.error().message);
  // The client is the platform's back end, acting for every user (D4: act_as "*").
  const auto client = (*tokens)->create(
      {.name = "client", .scopes = {api::Scope::read, api::Scope::write}, .act_as = std::vector<std::string>{"*"}},
      "local:bench", clock.now());
  const auto flood = (*tokens)->create({.name = "flood", .scopes = {api::Scope::read}}, "local:bench", clock.now());
  if (!client || !flood) throw std::runtime_error("cannot create the tokens");
  const std::string* client_token = &client->secret;
  const std::string* flood_token = &flood->secret;
  api::ServerOptions server_options;  // the defaults `serve` has
  server_options.port = 0;
  server_options.access_log = nullptr;
  server_options.data_directory = dir.path() + "/data";
  const auto& calendar = projections::BusinessCalendar::geneva();
  auto server = api::Server::start(server_options, {*ledger, processor->get(), **tokens, calendar, clock});
  if (!server) throw std::runtime_error("server: " + server.error());
  const auto head = ledger->head().position;
  std::size_t next_user = 0;
  std::printf("metric phase_seconds %.1f s\n", options.seconds);
  std::printf("metric flooders %d clients\n", options.flooders);
  report("alone", run_phase((*server)->port(), *client_token, *flood_token, options, 0, next_user, head));
  std::fflush(stdout);
  report("flood", run_phase((*server)->port(), *client_token, *flood_token, options, options.flooders, next_user, head));
  std::fflush(stdout);
  // Alone again: what drifts over the run (background compaction, the page cache) shows here.
  report("after", run_phase((*server)->port(), *client_token, *flood_token, options, 0, next_user, head));
  std::fflush(stdout);
  (*server)->stop();
  return 0;
}

}  // namespace
}  // namespace orgledger::bench

int main(int argc, char** argv) {
  using namespace orgledger::bench;
  return bench_main("flood_bench", parse(argc, argv), run);
}
