// `orgledger export --format jsonl|csv [--from X] [--to X] [--reveal-reporter] [--reveal-personal-data]`: the events for
// auditors, verifiable offline (API.md, issue 5; formats in api/export_format.h). Each event carries
// the stored envelope bytes in base64, so that the chain can be recomputed with standard tools
// alone: hash = SHA-256(prev_hash ‖ envelope), each prev_hash the hash before it (README).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "personal_access.h"
#include "data_dir.h"
#include "orgledger/api/export_format.h"
#include "orgledger/api/time_format.h"
#include "orgledger/projections/event_stream.h"
#include "orgledger/replay/org_fold.h"
#include "progress.h"
#include "subcommands.h"

namespace orgledger::tools {

int export_command(const Args& raw) {
  const CliArgs args(raw, {{"data", "format", "from", "to", "master-key-file"}, {"reveal-reporter", "reveal-personal-data"}});
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  const auto format = args.value("format");
  if (!format || (*format != "jsonl" && *format != "csv")) throw UsageError("--format is jsonl or csv");
  std::optional<projections::AsOf> from, to;
  if (auto text = args.value("from")) {
    if (!(from = api::parse_as_of(*text))) throw UsageError("--from takes a position or an RFC 3339 instant");
  }
  if (auto text = args.value("to")) {
    if (!(to = api::parse_as_of(*text))) throw UsageError("--to takes a position or an RFC 3339 instant");
  }
  auto opened = ledger::Ledger::open(data_directory(args), {.mode = ledger::OpenMode::read_only});
  if (!opened) {
    std::fprintf(stderr, "orgledger export: %s\n", opened.error().message.c_str());
    return kExitUsageOrIo;
  }
  const auto& ledger = **opened;
  const auto now = ledger::system_clock().now();
  auto last = replay::cut_at(ledger, to, now);
  if (!last) {
    std::fprintf(stderr, "orgledger export: %s\n", last.error().message.c_str());
    return kExitUsageOrIo;
  }
  ledger::Position first = 1;
  if (from) {
    // From X: the first event after the cut just before X (a position X itself is included).
    if (from->kind == projections::AsOf::Kind::position) {
      first = static_cast<ledger::Position>(std::max<std::int64_t>(1, from->value));
    } else {
      auto before = replay::cut_at(ledger, projections::AsOf{projections::AsOf::Kind::instant, from->value - 1}, now);
      if (!before) {
        std::fprintf(stderr, "orgledger export: %s\n", before.error().message.c_str());
        return kExitUsageOrIo;
      }
      first = before->position + 1;
    }
  }
  auto vault = open_local_vault(args, "export");
  if (!vault) return kExitUsageOrIo;
  const auto view = personal_view_of(args, vault->get(), &ledger);  // G3
  if (*format == "csv") {
    std::printf(
        "position,stream,stream_version,recorded_at,type,actor,command_id,correlation_id,data,prev_hash,hash,"
        "envelope\n");
  }
  Progress progress("export", last->position >= first ? last->position - first + 1 : 0);
  std::uint64_t written = 0;
  auto exported = projections::for_each_event(ledger, first, last->position, [&](const ledger::RecordedEvent& event) {
    const auto line =
        *format == "jsonl" ? api::export_jsonl_line(event, view) : api::export_csv_row(event, view);
    std::printf("%s\n", line.c_str());
    progress.update(++written);
    return true;
  });
  if (!exported) {
    std::fprintf(stderr, "orgledger export: %s\n", exported.error().message.c_str());
    return kExitUsageOrIo;
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "orgledger export: cannot write the output\n");
    return kExitUsageOrIo;
  }
  return kExitOk;
}

}  // namespace orgledger::tools
