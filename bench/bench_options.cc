#include "bench_options.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <string_view>

namespace orgledger::bench {
namespace {

constexpr const char* kUsage =
    "usage: ledger_bench [--dir DIR] [--runs N] [--seconds S] [--submitters 1,16,256]\n"
    "                    [--latency-appends N] [--fill-events N] [--events-per-command N]\n"
    "                    [--sections throughput,latency,read]\n";

template <typename Number>
bool parse_number(std::string_view text, Number& out) {
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc{} && end == text.data() + text.size();
}

std::vector<std::string_view> split(std::string_view text) {
  std::vector<std::string_view> parts;
  for (std::size_t start = 0; start <= text.size();) {
    const std::size_t comma = std::min(text.find(',', start), text.size());
    parts.push_back(text.substr(start, comma - start));
    start = comma + 1;
  }
  return parts;
}

bool parse_submitters(std::string_view text, std::vector<int>& out) {
  out.clear();
  for (auto part : split(text)) {
    int count = 0;
    if (!parse_number(part, count) || count < 1) return false;
    out.push_back(count);
  }
  return !out.empty();
}

std::optional<Section> section_named(std::string_view name) {
  if (name == "throughput") return Section::throughput;
  if (name == "latency") return Section::latency;
  if (name == "read") return Section::read;
  return std::nullopt;
}

bool parse_sections(std::string_view text, std::vector<Section>& out) {
  out.clear();
  for (auto part : split(text)) {
    const auto section = section_named(part);
    if (!section) return false;
    out.push_back(*section);
  }
  return !out.empty();
}

// Applies one "--name value" pair; false when the name is unknown or the value malformed.
bool apply(BenchOptions& options, std::string_view name, std::string_view value) {
  if (name == "--dir") {
    options.dir = std::string(value);
    return !value.empty();
  }
  if (name == "--runs") return parse_number(value, options.runs) && options.runs > 0;
  if (name == "--seconds") return parse_number(value, options.seconds) && options.seconds > 0;
  if (name == "--submitters") return parse_submitters(value, options.submitters);
  if (name == "--latency-appends") return parse_number(value, options.latency_appends) && options.latency_appends > 0;
  if (name == "--fill-events") return parse_number(value, options.fill_events) && options.fill_events > 0;
  if (name == "--events-per-command") {
    // command_event_count is a ushort in the envelope.
    return parse_number(value, options.events_per_fill_command) && options.events_per_fill_command > 0 &&
           options.events_per_fill_command <= 65535;
  }
  if (name == "--sections") return parse_sections(value, options.sections);
  return false;
}

}  // namespace

std::expected<BenchOptions, std::string> parse_options(int argc, char** argv) {
  BenchOptions options;
  for (int i = 1; i < argc; ++i) {
    const std::string_view name = argv[i];
    if (name == "--help" || name == "-h") return std::unexpected(std::string(kUsage));
    if (i + 1 >= argc) return std::unexpected("missing value after " + std::string(name) + "\n" + kUsage);
    const std::string_view value = argv[++i];
    if (!apply(options, name, value)) {
      return std::unexpected("bad option " + std::string(name) + " " + std::string(value) + "\n" + kUsage);
    }
  }
  return options;
}

bool wants(const BenchOptions& options, Section section) {
  return std::ranges::find(options.sections, section) != options.sections.end();
}

}  // namespace orgledger::bench
