// `orgledger verify [--checkpoint FILE [--public-key KEY]] [--json]`: exit 0 when the chain and the
// Merkle tree hold, 1 and the first bad position (or leaf) if not; with a checkpoint, 1 also when
// the log no longer contains its tree or its signature does not verify.
// G4: events written before G1 that hold personal data in clear are listed as a warning (exit 0).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "checkpoint_check.h"
#include "cli_args.h"
#include "orgledger/ledger/small_files.h"
#include "data_dir.h"
#include "orgledger/api/answer_json.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/verify.h"
#include "orgledger/replay/clear_personal_data.h"
#include "subcommands.h"

namespace orgledger::tools {

int verify_command(const Args& raw) {
  const CliArgs args(raw, {{"data", "checkpoint", "public-key"}, {"json"}});
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  if (args.value("public-key") && !args.value("checkpoint")) throw UsageError("--public-key goes with --checkpoint");
  const std::string dir = data_directory(args);
  std::optional<ledger::SignedCheckpoint> checkpoint;
  if (auto path = args.value("checkpoint")) {
    auto text = ledger::read_small_file(ledger::Env::system(), *path);
    if (!text || !*text) throw UsageError("cannot read the checkpoint " + *path);
    checkpoint = parse_checkpoint_file(*path, **text);
  }
  auto report = ledger::verify_ledger(dir, {.root_at = checkpoint ? std::optional(checkpoint->checkpoint.size) : std::nullopt});
  if (!report) {
    std::fprintf(stderr, "orgledger verify: %s\n", report.error().message.c_str());
    return kExitUsageOrIo;
  }
  std::vector<ledger::Position> clear;
  if (report->ok) {
    auto opened = ledger::Ledger::open(dir, {.mode = ledger::OpenMode::read_only});
    auto scanned = opened ? replay::clear_personal_data_positions(**opened)
                          : std::expected<std::vector<ledger::Position>, ledger::Error>(std::unexpected(opened.error()));
    if (!scanned) {
      std::fprintf(stderr, "orgledger verify: %s\n", scanned.error().message.c_str());
      return kExitUsageOrIo;
    }
    clear = std::move(*scanned);
  }
  std::optional<CheckpointCheck> contained;
  if (checkpoint) contained = check_checkpoint(*checkpoint, *report, args.value("public-key"), dir);
  if (args.flag("json")) {
    auto out = api::verify_json(*report);
    out["clear_personal_data_positions"] = clear;  // G4
    if (contained) out["checkpoint"] = contained->json;
    std::printf("%s\n", out.dump().c_str());
  } else if (report->ok) {
    std::printf("ok: %llu events, head %llu %s\n", static_cast<unsigned long long>(report->checked),
                static_cast<unsigned long long>(report->head.position), ledger::to_hex(report->head.hash).c_str());
    if (report->tree_leaves_checked < report->checked) {
      std::printf("note: the Merkle tree is built over %llu of them (it is built at the next open for writing)\n",
                  static_cast<unsigned long long>(report->tree_leaves_checked));
    }
  } else if (!report->first_bad_position) {
    std::printf("BROKEN Merkle tree at leaf %llu (position %llu): %s\n", static_cast<unsigned long long>(*report->first_bad_leaf),
                static_cast<unsigned long long>(*report->first_bad_leaf + 1), report->tree_problem.c_str());
  } else {
    std::printf("BROKEN at position %llu: %s (%llu events intact before it; recorded head %llu)\n",
                static_cast<unsigned long long>(*report->first_bad_position), report->problem.c_str(),
                static_cast<unsigned long long>(report->checked),
                static_cast<unsigned long long>(report->head.position));
  }
  if (!clear.empty() && !args.flag("json")) {
    std::string positions;
    for (std::size_t i = 0; i < clear.size() && i < 20; ++i) positions += (i ? ", " : "") + std::to_string(clear[i]);
    if (clear.size() > 20) positions += ", …";
    std::printf("warning: %zu events written before G1 hold personal data in clear, which cannot be shredded (G4): "
                "positions %s\n", clear.size(), positions.c_str());
  }
  if (contained && !args.flag("json")) std::printf("%s\n", contained->text.c_str());
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "orgledger verify: cannot write the output\n");
    return kExitUsageOrIo;
  }
  return report->ok && (!contained || contained->contained) ? kExitOk : kExitRejected;
}

}  // namespace orgledger::tools
