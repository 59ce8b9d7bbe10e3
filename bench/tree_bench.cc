// tree_bench: what the Merkle tree costs and gives (issue 14).
//
//   append    durable appends/s with the tree's nodes staged in each group commit and without,
//             side by side in one run (runs alternate, and which goes first), at 1 and 64
//             asynchronous clients (the durable path of a server's connections).
//   proofs    a store of --events events written without the tree, then: the first open that
//             builds it (what an upgrade costs), the tree's size on disk, inclusion and
//             consistency proofs at random positions of the whole tree (latency p50/p99, hashes per
//             proof), and each proof's size against log2 n.
//
// Output: "metric NAME VALUE UNIT" lines and a summary, for bench/run_tree_bench.sh.
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <random>
#include <string>
#include <vector>

#include "append_workloads.h"
#include "bench_support.h"
#include "orgledger/ledger/ledger.h"

namespace orgledger::bench {
namespace {

struct Options {
  std::string mode = "append";
  std::string dir = "/tmp";
  int runs = 5;
  double seconds = 3.0;
  std::size_t events = 10'000'000;
  std::size_t proofs = 100'000;
};

Options parse(int argc, char** argv) {
  Options options;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string name = argv[i], value = argv[i + 1];
    if (name == "--mode") options.mode = value;
    else if (name == "--dir") options.dir = value;
    else if (name == "--runs") options.runs = std::stoi(value);
    else if (name == "--seconds") options.seconds = std::stod(value);
    else if (name == "--events") options.events = std::stoull(value);
    else if (name == "--proofs") options.proofs = std::stoull(value);
    else {
      std::fprintf(stderr, "usage: tree_bench [--mode append|proofs] [--dir D] [--runs N] [--seconds S] [--events N] [--proofs N]\n");
      std::exit(2);
    }
  }
  return options;
}

void metric(const std::string& name, double value, const char* unit) {
  std::printf("metric %s %.3f %s\n", name.c_str(), value, unit);
  std::fflush(stdout);
}

void append_cost(const Options& options) {
  for (int clients : {1, 64}) {
    std::vector<double> with_tree, without_tree;
    for (int r = 0; r < options.runs; ++r) {
      std::fprintf(stderr, "tree_bench: %d clients, run %d\n", clients, r + 1);
      auto once = [&](bool tree) {
        const auto run = measure_async_throughput(options.dir, clients, options.seconds, {.build_merkle_tree = tree});
        (tree ? with_tree : without_tree).push_back(run.events_per_second());
      };
      once(r % 2 == 0);
      once(r % 2 != 0);
    }
    const double a = median(with_tree), b = median(without_tree);
    const std::string suffix = "_" + std::to_string(clients) + "_clients";
    metric("appends_with_tree" + suffix, a, "events/s");
    metric("appends_without_tree" + suffix, b, "events/s");
    metric("tree_append_cost" + suffix, 100.0 * (1 - a / b), "%");
    std::printf("runs %d clients: with", clients);
    for (double v : with_tree) std::printf(" %.0f", v);
    std::printf(" | without");
    for (double v : without_tree) std::printf(" %.0f", v);
    std::printf("\n");
  }
}

std::vector<double> timed(std::size_t count, const std::function<std::size_t(std::size_t)>& one, std::size_t& hashes) {
  std::vector<double> micros;
  micros.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    const Stopwatch elapsed;
    hashes += one(i);
    micros.push_back(elapsed.micros());
  }
  return micros;
}

void proofs(const Options& options) {
  const TempDir directory(options.dir, "tree_bench");
  {
    auto log = value_or_fail(ledger::Ledger::open(directory.path(), {.build_merkle_tree = false}), "open");
    std::fprintf(stderr, "tree_bench: filling %zu events\n", options.events);
    const double seconds = fill(*log, options.events, 10);
    metric("fill_without_tree", static_cast<double>(options.events) / seconds, "events/s");
  }
  const auto before = store_bytes(directory.path());
  const Stopwatch build;
  auto log = value_or_fail(ledger::Ledger::open(directory.path()), "open and build the tree");
  const double build_seconds = build.seconds();
  metric("tree_build_on_first_open", build_seconds, "s");
  metric("tree_build_rate", static_cast<double>(options.events) / build_seconds, "leaves/s");
  metric("tree_bytes_per_event", static_cast<double>(store_bytes(directory.path()) - before) / static_cast<double>(options.events), "B");

  const std::uint64_t n = log->head().position;
  std::mt19937_64 random(14);
  std::uniform_int_distribution<std::uint64_t> leaf(0, n - 1), size(1, n);
  std::size_t hashes = 0;
  // Warm nothing on purpose: the first proofs read from disk as a cold auditor's would.
  auto inclusion = timed(options.proofs, [&](std::size_t) {
    return value_or_fail(log->inclusion_proof(leaf(random), n), "inclusion").size();
  }, hashes);
  metric("inclusion_p50", quantile(inclusion, 0.5), "us");
  metric("inclusion_p99", quantile(inclusion, 0.99), "us");
  metric("inclusion_hashes_mean", static_cast<double>(hashes) / static_cast<double>(options.proofs), "hashes");
  hashes = 0;
  auto consistency = timed(options.proofs, [&](std::size_t) {
    auto a = size(random), b = size(random);
    return value_or_fail(log->consistency_proof(std::min(a, b), std::max(a, b)), "consistency").size();
  }, hashes);
  metric("consistency_p50", quantile(consistency, 0.5), "us");
  metric("consistency_p99", quantile(consistency, 0.99), "us");
  metric("consistency_hashes_mean", static_cast<double>(hashes) / static_cast<double>(options.proofs), "hashes");
  std::size_t ignored = 0;
  auto roots = timed(1000, [&](std::size_t) { value_or_fail(log->tree_root(size(random)), "root"); return 0; }, ignored);
  metric("root_p50", quantile(roots, 0.5), "us");

  // A proof's size against the tree's: the longest inclusion path is ceil(log2 n) hashes.
  for (std::uint64_t tree = 1000; tree <= n; tree *= 10) {
    std::size_t longest = 0;
    for (int i = 0; i < 200; ++i) {
      longest = std::max(longest, value_or_fail(log->inclusion_proof(random() % tree, tree), "inclusion").size());
    }
    std::printf("proof_size tree %llu log2 %.1f inclusion_hashes_max %zu bytes %zu\n", static_cast<unsigned long long>(tree),
                std::log2(static_cast<double>(tree)), longest, longest * 32);
  }
}

}  // namespace
}  // namespace orgledger::bench

int main(int argc, char** argv) {
  using namespace orgledger::bench;
  const Options options = parse(argc, argv);
  try {
    if (options.mode == "append") append_cost(options);
    else if (options.mode == "proofs") proofs(options);
    else throw std::runtime_error("unknown mode " + options.mode);
  } catch (const std::exception& error) {
    std::fprintf(stderr, "tree_bench: %s\n", error.what());
    return 1;
  }
  return 0;
}
