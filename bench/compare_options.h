// Command line of compare_bench (run by bench/compare, which starts PostgreSQL for it).
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>
#include <vector>

namespace orgledger::bench {

struct CompareOptions {
  std::string dir = "/tmp";     // orgledger's and SQLite's stores go into fresh directories under it
  std::string postgres;         // libpq connection string; empty: PostgreSQL is not measured
  int runs = 3;                 // repetitions of every measurement
  double seconds = 3.0;         // length of one durable-commands run
  std::size_t commands = 400'000;  // the workload's length (enough for the fastest run)
  std::uint64_t seed = 6;
  std::vector<std::size_t> concurrency{1, 16, 64, 256};
  std::size_t peer_max_concurrency = 64;  // the peers' clients stop here (issue 6: 256 for orgledger only)
  std::size_t checks = 200'000;            // in-process checks per run
  std::size_t sql_checks = 5'000;          // SQL queries per run and peer
};

// Parses argv; the error is a message for the user (usage included). `--quick` scales everything
// down to a run of about a minute.
std::expected<CompareOptions, std::string> parse_compare_options(int argc, char** argv);

}  // namespace orgledger::bench
