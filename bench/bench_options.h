// Command lines: ledger_bench's, and the "--name value" parsing every bench shares.
#pragma once

#include <charconv>
#include <cstddef>
#include <expected>
#include <functional>
#include <string>
#include <string_view>
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

// What every bench's command line shares: "--name value" pairs, each handed to `apply`, which says
// whether the name is known and the value well-formed. The error is a message for the user with
// `usage` (also the answer to --help).
std::expected<void, std::string> parse_flags(
    int argc, char** argv, std::string_view usage,
    const std::function<bool(std::string_view name, std::string_view value)>& apply);

// The whole of `text` as a number.
template <typename Number>
bool parse_number(std::string_view text, Number& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc{} && end == text.data() + text.size();
}

}  // namespace orgledger::bench
