#include "durable_run.h"

#include <atomic>
#include <chrono>
#include <exception>
#include <mutex>
#include <optional>
#include <thread>

#include "bench_support.h"
#include "domain_commands.h"
#include "in_flight.h"
#include "read_workloads.h"
#include "orgledger/commands/processor.h"

namespace orgledger::bench {

DurableRun orgledger_durable_run(const std::string& parent, const std::vector<commands::Command>& workload,
                                 std::size_t concurrency, double seconds) {
  const TempDir directory(parent, "compare_orgledger");
  auto ledger = value_or_fail(ledger::Ledger::open(directory.path()), "open " + directory.path());
  auto processor = value_or_fail(commands::CommandProcessor::start(*ledger, ledger::system_clock()), "start");
  CommandRun run = submit_async(*processor, workload, concurrency, seconds);
  DurableRun out;
  out.commands = run.accepted;
  out.refused = run.refused + run.failed;
  out.first_problem = run.first_problem;
  out.seconds = run.seconds;
  out.micros = std::move(run.micros);
  out.events = ledger->head().position;
  return out;
}

DurableRun ledger_append_run(const std::string& parent, const std::vector<ledger::CommandAppend>& appends,
                             std::size_t concurrency, double seconds) {
  const TempDir directory(parent, "compare_ledger");
  auto ledger = value_or_fail(ledger::Ledger::open(directory.path()), "open " + directory.path());
  DurableRun out;
  out.micros.assign(appends.size(), -1);
  InFlight limit(concurrency);
  std::mutex failure_mutex;
  std::optional<ledger::Error> failure;
  const Stopwatch elapsed;
  for (std::size_t i = 0; i < appends.size(); ++i) {
    if (!limit.acquire_within(elapsed, seconds)) break;
    const auto start = std::chrono::steady_clock::now();
    ledger->append_async(appends[i], [&, i, start](std::expected<ledger::CommandAnswer, ledger::Error> answer) {
      out.micros[i] = std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
      if (!answer) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = answer.error();
      }
      limit.release();
    });
  }
  limit.wait_idle();
  out.seconds = elapsed.seconds();
  if (failure) fail("ledger append", *failure);
  std::erase(out.micros, -1.0);
  out.commands = out.micros.size();
  out.events = ledger->head().position;
  return out;
}

std::vector<ledger::CommandAppend> appends_from_log(const ledger::Ledger& ledger) {
  std::vector<ledger::CommandAppend> appends;
  read_all(ledger, 10'000, [&](const std::vector<ledger::RecordedEvent>& events) {
    for (const auto& event : events) {
      if (event.command_event_index() == 0) {
        appends.push_back(ledger::CommandAppend{
            .command_id = std::string(event.command_id()),
            .actor = std::string(event.actor()),
            .correlation_id = std::string(event.correlation_id()),
            .expected = ledger::ExpectedVersion{std::string(event.stream()), event.stream_version() - 1},
            .events = {}});
      }
      const auto bytes = event.envelope_bytes();
      appends.back().events.push_back(
          ledger::EventDraft{std::string(event.stream()), std::string(reinterpret_cast<const char*>(bytes.data()), bytes.size())});
    }
  });
  return appends;
}

DurableRun peer_durable_run(SqlPeer& peer, const std::vector<PeerCommand>& commands, std::size_t concurrency,
                            double seconds) {
  peer.reset();
  std::vector<std::unique_ptr<PeerSession>> sessions;
  for (std::size_t i = 0; i < concurrency; ++i) sessions.push_back(peer.session());

  DurableRun out;
  out.micros.assign(commands.size(), -1);
  std::atomic<std::size_t> next{0}, events{0}, retries{0};
  std::mutex failure_mutex;
  std::exception_ptr failure;
  const Stopwatch elapsed;
  std::vector<std::thread> writers;
  for (auto& session : sessions) {
    writers.emplace_back([&, session = session.get()] {
      try {
        for (;;) {
          const std::size_t i = next.fetch_add(1);
          if (i >= commands.size() || elapsed.seconds() >= seconds) return;
          const auto start = std::chrono::steady_clock::now();
          retries += session->append(commands[i]);
          out.micros[i] =
              std::chrono::duration<double, std::micro>(std::chrono::steady_clock::now() - start).count();
          events += commands[i].events.size();
        }
      } catch (...) {
        std::lock_guard lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next = commands.size();  // the others stop too
      }
    });
  }
  for (auto& writer : writers) writer.join();
  out.seconds = elapsed.seconds();
  if (failure) std::rethrow_exception(failure);
  std::erase(out.micros, -1.0);  // the commands never taken
  out.commands = out.micros.size();
  out.events = events;
  out.retries = retries;
  return out;
}

}  // namespace orgledger::bench
