#include "compare_options.h"

#include <ranges>
#include <string_view>

#include "bench_options.h"

namespace orgledger::bench {
namespace {

constexpr std::string_view kUsage =
    "usage: compare_bench [--dir DIR] [--postgres CONNINFO] [--runs N] [--seconds S] [--commands N]\n"
    "                     [--seed N] [--concurrency 1,16,64,256] [--checks N] [--sql-checks N] [--quick 1]\n";

bool parse_list(std::string_view text, std::vector<std::size_t>& out) {
  out.clear();
  for (auto part : text | std::views::split(',')) {
    std::size_t value = 0;
    if (!parse_number(std::string_view(part.begin(), part.end()), value) || value == 0) return false;
    out.push_back(value);
  }
  return !out.empty();
}

void make_quick(CompareOptions& options) {
  options.seconds = 0.5;
  options.commands = 60'000;
  options.checks = 50'000;
  options.sql_checks = 1'000;
}

bool apply(CompareOptions& options, std::string_view name, std::string_view value) {
  if (name == "--dir") return options.dir = value, !value.empty();
  if (name == "--postgres") return options.postgres = value, true;
  if (name == "--runs") return parse_number(value, options.runs) && options.runs >= 1;
  if (name == "--seconds") return parse_number(value, options.seconds) && options.seconds > 0;
  if (name == "--commands") return parse_number(value, options.commands) && options.commands > 0;
  if (name == "--seed") return parse_number(value, options.seed);
  if (name == "--concurrency") return parse_list(value, options.concurrency);
  if (name == "--checks") return parse_number(value, options.checks) && options.checks > 0;
  if (name == "--sql-checks") return parse_number(value, options.sql_checks) && options.sql_checks > 0;
  if (name == "--quick") {
    if (value != "1") return false;
    make_quick(options);
    return true;
  }
  return false;
}

}  // namespace

std::expected<CompareOptions, std::string> parse_compare_options(int argc, char** argv) {
  CompareOptions options;
  auto parsed = parse_flags(argc, argv, kUsage,
                            [&](std::string_view name, std::string_view value) { return apply(options, name, value); });
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  return options;
}

}  // namespace orgledger::bench
