// Command line of ledger_bench.
#pragma once

#include <cstddef>
#include <expected>
#include <string>
#include <vector>

namespace orgledger::bench {

enum class Section { throughput, latency, read };

struct BenchOptions {
  std::string dir = "/tmp";  // each measurement gets a fresh directory under it
  int runs = 5;              // repetitions of each measurement; the median is reported
  double seconds = 3.0;      // length of one throughput run
  std::vector<int> submitters{1, 16, 256};
  std::size_t latency_appends = 3000;
  std::size_t fill_events = 1'000'000;
  std::size_t events_per_fill_command = 100;
  std::vector<Section> sections{Section::throughput, Section::latency, Section::read};
};

// Parses argv; the error is a message for the user (usage included).
std::expected<BenchOptions, std::string> parse_options(int argc, char** argv);

bool wants(const BenchOptions& options, Section section);

}  // namespace orgledger::bench
