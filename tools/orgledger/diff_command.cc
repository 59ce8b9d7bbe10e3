// `orgledger diff --from X --to Y [--org O] [--json]`: what changed between two points — members,
// roles, billing, product access, teams, products, grants — in words, or as JSON:
// {"from_position", "to_position", "changes": [{"org", "change", "subject", "object"?, "before"?, "after"?}]}.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "data_dir.h"
#include "orgledger/api/time_format.h"
#include "orgledger/projections/as_of.h"
#include "orgledger/replay/diff.h"
#include "orgledger/replay/org_fold.h"
#include "subcommands.h"

namespace orgledger::tools {

int diff_command(const Args& raw) {
  const CliArgs args(raw, {{"data", "from", "to", "org"}, {"json"}});
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  if (!args.value("from") || !args.value("to")) throw UsageError("--from and --to are required");
  const auto from = api::parse_as_of(*args.value("from"));
  const auto to = api::parse_as_of(*args.value("to"));
  if (!from || !to) throw UsageError("--from and --to take a position or an RFC 3339 instant");
  const auto org = args.value("org");
  auto ledger = ledger::Ledger::open(data_directory(args), {.mode = ledger::OpenMode::read_only});
  if (!ledger) {
    std::fprintf(stderr, "orgledger diff: %s\n", ledger.error().message.c_str());
    return kExitUsageOrIo;
  }
  const auto now = ledger::system_clock().now();
  // One organization folds its own streams only; the whole log otherwise.
  auto fold = [&](const projections::AsOf& point) {
    return org ? replay::fold_org_as_of(**ledger, *org, point, now) : projections::fold_as_of(**ledger, point, now);
  };
  auto before = fold(*from);
  auto after = fold(*to);
  if (!before || !after) {
    std::fprintf(stderr, "orgledger diff: %s\n", (!before ? before.error() : after.error()).message.c_str());
    return kExitUsageOrIo;
  }
  const auto changes = replay::diff(before->state, before->default_at, after->state, after->default_at, org);
  if (args.flag("json")) {
    nlohmann::ordered_json out;
    out["from_position"] = before->as_of_position;
    out["to_position"] = after->as_of_position;
    out["changes"] = nlohmann::ordered_json::array();
    for (const auto& change : changes) {
      nlohmann::ordered_json item{{"org", change.org}, {"change", change.change}, {"subject", change.subject}};
      if (!change.object.empty()) item["object"] = change.object;
      if (!change.before.empty()) item["before"] = change.before;
      if (!change.after.empty()) item["after"] = change.after;
      out["changes"].push_back(std::move(item));
    }
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  std::printf("from position %llu to position %llu: %zu change%s\n",
              static_cast<unsigned long long>(before->as_of_position),
              static_cast<unsigned long long>(after->as_of_position), changes.size(), changes.size() == 1 ? "" : "s");
  for (const auto& change : changes) std::printf("  %s\n", replay::describe(change).c_str());
  return kExitOk;
}

}  // namespace orgledger::tools
