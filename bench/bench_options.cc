#include "bench_options.h"

#include <algorithm>
#include <optional>

namespace orgledger::bench {
namespace {

constexpr const char* kUsage =
    "usage: ledger_bench [--dir DIR] [--runs N] [--seconds S] [--submitters 1,16,256]\n"
    "                    [--latency-appends N] [--fill-events N] [--events-per-command N]\n"
    "                    [--sections throughput,latency,read]\n";

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

std::expected<void, std::string> parse_flags(int argc, char** argv, std::string_view usage,
                                             const std::function<bool(std::string_view, std::string_view)>& apply) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view name = argv[i];
    if (name == "--help" || name == "-h") return std::unexpected(std::string(usage));
    if (i + 1 >= argc) return std::unexpected("missing value after " + std::string(name) + "\n" + std::string(usage));
    const std::string_view value = argv[++i];
    if (!apply(name, value)) {
      return std::unexpected("bad option " + std::string(name) + " " + std::string(value) + "\n" + std::string(usage));
    }
  }
  return {};
}

std::expected<BenchOptions, std::string> parse_options(int argc, char** argv) {
  BenchOptions options;
  auto parsed = parse_flags(argc, argv, kUsage,
                            [&](std::string_view name, std::string_view value) { return apply(options, name, value); });
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  return options;
}

bool wants(const BenchOptions& options, Section section) {
  return std::ranges::find(options.sections, section) != options.sections.end();
}

}  // namespace orgledger::bench
