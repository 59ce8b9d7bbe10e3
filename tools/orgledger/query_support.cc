#include "query_support.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "data_dir.h"
#include "orgledger/api/time_format.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/replay/org_fold.h"

namespace orgledger::tools {

std::optional<projections::AsOf> as_of_of(const CliArgs& args) {
  std::optional<projections::AsOf> as_of;
  if (auto text = args.value("as-of")) {
    as_of = api::parse_as_of(*text);
    if (!as_of) throw UsageError("--as-of takes a position or an RFC 3339 instant, not '" + *text + "'");
  }
  return as_of;
}

std::optional<projections::Folded> load_state(const CliArgs& args, const char* subcommand,
                                              std::optional<std::string_view> family) {
  const auto as_of = as_of_of(args);
  const ledger::Micros now = ledger::system_clock().now();
  auto opened = ledger::Ledger::open(data_directory(args), {.mode = ledger::OpenMode::read_only});
  if (!opened) {
    std::fprintf(stderr, "orgledger %s: %s\n", subcommand, opened.error().message.c_str());
    return std::nullopt;
  }
  auto folded = family ? replay::fold_stream_family_as_of(**opened, *family, as_of, now)
                       : projections::fold_as_of(**opened, as_of, now);
  if (!folded) {
    std::fprintf(stderr, "orgledger %s: %s\n", subcommand, folded.error().message.c_str());
    return std::nullopt;
  }
  return std::move(*folded);
}

ledger::Micros instant_of(const CliArgs& args, const projections::Folded& folded) {
  if (auto text = args.value("at")) {
    auto instant = api::parse_instant(*text);
    if (!instant) throw UsageError("--at takes an RFC 3339 instant, not '" + *text + "'");
    return *instant;
  }
  return folded.default_at;
}

const projections::BusinessCalendar& calendar_of(const CliArgs& args) {
  auto path = args.value("calendar");
  if (!path) return projections::BusinessCalendar::geneva();
  static std::optional<projections::BusinessCalendar> loaded;  // one per process run
  auto calendar = projections::BusinessCalendar::load(*path);
  if (!calendar) throw UsageError(calendar.error());
  loaded = std::move(*calendar);
  return *loaded;
}

void print_problem(const CliArgs& args, const api::Json& problem) {
  const std::string rule = problem.value("rule", std::string());  // a server's problem may have none
  if (args.flag("json")) {
    std::printf("%s\n", problem.dump().c_str());
  } else {
    std::printf(
        "%s%s%s: %s\n", problem["code"].get<std::string>().c_str(), rule.empty() ? "" : " ",
        rule.empty() ? "" : ("(" + rule + ")").c_str(), problem.value("detail", std::string()).c_str());
  }
}

}  // namespace orgledger::tools
