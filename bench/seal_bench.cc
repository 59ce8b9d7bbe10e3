// seal_bench: what G1's encryption costs on the append path (issue 12). The comparison's workload
// (bench/compare_workload.h) as durable commands through the processor, side by side in one run:
//   sealed in the path — the processor seals each login and reporter (a fresh data key from the
//                        vault's pool, AES-256-GCM) on the submitter's thread, as in production;
//   sealed beforehand  — the same commands sealed before the timed run, so the path does no
//                        cryptography: what the append path cost before G1 (the events hold the
//                        same ciphertext, so the only difference is the sealing itself).
// Runs alternate between the two (and which goes first), so the machine's noise falls on both alike.
//
// Output: "seal MODE CONCURRENCY commands_per_s RUN1 RUN2 …", then a summary of medians and ratios.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include "bench_support.h"
#include "compare_workload.h"
#include "domain_commands.h"
#include "orgledger/commands/personal_data.h"
#include "orgledger/commands/processor.h"
#include "orgledger/vault/vault.h"

namespace orgledger::bench {
namespace {

struct Options {
  std::string dir = "/tmp";
  int runs = 5;
  double seconds = 3.0;
  std::size_t commands = 300'000;
  std::vector<std::size_t> concurrency{1, 64, 256};
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i], value = argv[i + 1];
    if (name == "--dir") options.dir = value;
    else if (name == "--runs") options.runs = std::stoi(value);
    else if (name == "--seconds") options.seconds = std::stod(value);
    else if (name == "--commands") options.commands = std::stoull(value);
    else if (name == "--concurrency") {
      options.concurrency.clear();
      for (std::size_t start = 0; start <= value.size();) {
        const auto comma = std::min(value.find(',', start), value.size());
        options.concurrency.push_back(std::stoull(value.substr(start, comma - start)));
        start = comma + 1;
      }
    } else {
      std::fprintf(stderr, "usage: seal_bench [--dir D] [--runs N] [--seconds S] [--commands N] [--concurrency 1,64,256]\n");
      std::exit(2);
    }
  }
  return options;
}

// One timed run on a fresh store; `presealed`: the commands' personal data is sealed first, untimed.
double run(const Options& options, const std::vector<commands::Command>& workload, std::size_t concurrency,
           bool presealed) {
  const TempDir directory(options.dir, "seal_bench");
  auto ledger = value_or_fail(ledger::Ledger::open(directory.path()), "open " + directory.path());
  auto keys = vault::Vault::open({.directory = directory.path() + "/vault"});
  if (!keys) fail("vault", ledger::Error{ledger::ErrorCode::io_error, keys.error().message});
  std::vector<commands::Command> commands = workload;
  if (presealed) {
    for (auto& command : commands) {
      if (!commands::seal_personal_data(command, **keys)) fail("seal", ledger::Error{ledger::ErrorCode::io_error, "sealing"});
    }
  }
  auto processor = value_or_fail(
      commands::CommandProcessor::start(*ledger, ledger::system_clock(), projections::BusinessCalendar::geneva(), {}, {},
                                        keys->get()),
      "start");
  const CommandRun result = submit_async(*processor, std::move(commands), concurrency, options.seconds);
  if (result.refused + result.failed > 0) {
    fail("run", ledger::Error{ledger::ErrorCode::invalid_argument, "refused: " + result.first_problem});
  }
  return static_cast<double>(result.accepted) / result.seconds;
}

}  // namespace
}  // namespace orgledger::bench

int main(int argc, char** argv) {
  using namespace orgledger::bench;
  const Options options = parse(argc, argv);
  const auto now = std::chrono::duration_cast<std::chrono::microseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  const auto workload = make_workload({.commands = options.commands, .seed = 6, .interleaved = 1024, .now = now});
  std::size_t personal = 0;
  for (const auto& command : workload) personal += !orgledger::commands::personal_subject(command.body).empty();
  std::printf("workload %zu commands, %zu carrying personal data (%.1f %%)\n", workload.size(), personal,
              100.0 * static_cast<double>(personal) / static_cast<double>(workload.size()));
  for (const auto concurrency : options.concurrency) {
    std::vector<double> in_path, beforehand;
    for (int r = 0; r < options.runs; ++r) {
      std::fprintf(stderr, "seal_bench: concurrency %zu, run %d\n", concurrency, r + 1);
      // Which goes first alternates, so that neither always runs on a warmer machine.
      if (r % 2 == 0) {
        in_path.push_back(run(options, workload, concurrency, false));
        beforehand.push_back(run(options, workload, concurrency, true));
      } else {
        beforehand.push_back(run(options, workload, concurrency, true));
        in_path.push_back(run(options, workload, concurrency, false));
      }
    }
    for (auto [mode, runs] : {std::pair{"sealed_in_path", &in_path}, std::pair{"sealed_beforehand", &beforehand}}) {
      std::printf("seal %s %zu commands_per_s", mode, concurrency);
      for (double value : *runs) std::printf(" %.0f", value);
      std::printf("\n");
    }
    const double a = median(in_path), b = median(beforehand);
    std::printf("summary concurrency %zu: sealed in the path %.0f commands/s, sealed beforehand %.0f commands/s, "
                "ratio %.3f (%+.1f %%)\n", concurrency, a, b, a / b, 100.0 * (a / b - 1));
    std::fflush(stdout);
  }
  return 0;
}
