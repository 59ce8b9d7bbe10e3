// What the query subcommands share: the folded state as of --as-of, the instant of --at, and
// printing a problem.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "cli_args.h"
#include "orgledger/api/answer_json.h"
#include "orgledger/projections/as_of.h"
#include "orgledger/projections/business_calendar.h"

namespace orgledger::tools {

// The state of the ledger in --data as of --as-of (read-only: runs beside a server). Throws
// UsageError for a bad --as-of; an I/O problem is printed and returned as nullopt. With a
// `family` of streams ("abuse:"), only theirs (replay::fold_stream_family_as_of): the same
// entities of that family, from the family's own snapshots rather than the whole log.
std::optional<projections::Folded> load_state(const CliArgs& args, const char* subcommand,
                                              std::optional<std::string_view> family = std::nullopt);

// --as-of, parsed (nullopt: now). Throws UsageError when it is neither a position nor an instant.
std::optional<projections::AsOf> as_of_of(const CliArgs& args);

// --at, else the as-of's default instant (D3).
ledger::Micros instant_of(const CliArgs& args, const projections::Folded& folded);

// --calendar FILE (A7: replaces the default Geneva calendar), else the default. Throws UsageError
// when the file cannot be read or parsed.
const projections::BusinessCalendar& calendar_of(const CliArgs& args);

// Prints a problem (JSON with --json, else one line) to stdout.
void print_problem(const CliArgs& args, const api::Json& problem);

}  // namespace orgledger::tools
