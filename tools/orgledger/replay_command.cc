// `orgledger replay --to X [--json]`: rebuilds every projection as of X and prints one digest per
// projection (projections/digest.h). `--json` prints only the position and the digests: nothing
// that varies between runs, so two runs, or two machines, compare with `cmp`.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "data_dir.h"
#include "orgledger/api/time_format.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/projections/as_of.h"
#include "orgledger/projections/digest.h"
#include "progress.h"
#include "subcommands.h"

namespace orgledger::tools {

int replay_command(const Args& raw) {
  const CliArgs args(raw, {{"data", "to"}, {"json"}});
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  const auto to_text = args.value("to");
  if (!to_text) throw UsageError("--to is required (a position or an RFC 3339 instant)");
  const auto to = api::parse_as_of(*to_text);
  if (!to) throw UsageError("--to takes a position or an RFC 3339 instant, not '" + *to_text + "'");
  auto ledger = ledger::Ledger::open(data_directory(args), {.mode = ledger::OpenMode::read_only});
  if (!ledger) {
    std::fprintf(stderr, "orgledger replay: %s\n", ledger.error().message.c_str());
    return kExitUsageOrIo;
  }
  const auto started = std::chrono::steady_clock::now();
  std::optional<Progress> progress;
  progress.emplace("replay",
                   to->kind == projections::AsOf::Kind::position
                       ? std::min<ledger::Position>((*ledger)->head().position,
                                                    static_cast<ledger::Position>(std::max<std::int64_t>(0, to->value)))
                       : (*ledger)->head().position);
  auto folded = projections::fold_as_of(**ledger, to, ledger::system_clock().now(),
                                        [&](ledger::Position reached) { progress->update(reached); });
  progress.reset();
  if (!folded) {
    std::fprintf(stderr, "orgledger replay: %s\n", folded.error().message.c_str());
    return kExitUsageOrIo;
  }
  const auto digests = projections::projection_digests(folded->state);
  if (args.flag("json")) {
    nlohmann::ordered_json out;
    out["as_of_position"] = folded->as_of_position;
    for (const auto& digest : digests) out["digests"][digest.name] = ledger::to_hex(digest.digest);
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf("as of position %llu (%s)\n", static_cast<unsigned long long>(folded->as_of_position),
              folded->as_of_position > 0 ? api::format_instant(folded->state.recorded_at).c_str() : "the empty log");
  for (const auto& digest : digests) {
    std::printf("  %-15s %10zu  %s\n", digest.name.c_str(), digest.entities, ledger::to_hex(digest.digest).c_str());
  }
  std::fprintf(stderr, "rebuilt from %llu events in %.2f s\n", static_cast<unsigned long long>(folded->as_of_position),
               seconds);
  return kExitOk;
}

}  // namespace orgledger::tools
