// `orgledger proof inclusion --position P [--tree-size N]`, `orgledger proof consistency --from M
// --to N` and `orgledger checkpoint [--at-size N]` (API.md "The Merkle tree and signed
// checkpoints"), on the data directory, read-only. Proofs print the JSON of GET /v1/tree/*; a
// checkpoint prints its signed note as stored.
#include <cstdio>

#include "cli_args.h"
#include "data_dir.h"
#include "orgledger/api/tree_json.h"
#include "orgledger/ledger/checkpoint_log.h"
#include "orgledger/ledger/ledger.h"
#include "subcommands.h"

namespace orgledger::tools {
namespace {

std::unique_ptr<ledger::Ledger> open_log(const CliArgs& args, const char* command) {
  auto log = ledger::Ledger::open(data_directory(args), {.mode = ledger::OpenMode::read_only});
  if (!log) {
    std::fprintf(stderr, "orgledger %s: %s\n", command, log.error().message.c_str());
    return nullptr;
  }
  return std::move(*log);
}

std::uint64_t required(const CliArgs& args, const char* name) {
  auto value = args.number(name);
  if (!value) throw UsageError(std::string("--") + name + " is required");
  return *value;
}

int print_proof(const std::expected<nlohmann::json, ledger::Error>& proof) {
  if (!proof) {
    // A position or size outside the log is bad input (invalid_argument, as HTTP's 400).
    std::fprintf(stderr, "orgledger proof: %s: %s\n", ledger::to_string(proof.error().code), proof.error().message.c_str());
    return kExitUsageOrIo;
  }
  std::printf("%s\n", proof->dump().c_str());
  return kExitOk;
}

}  // namespace

int proof_command(const Args& raw) {
  if (raw.empty() || (raw.front() != "inclusion" && raw.front() != "consistency")) {
    throw UsageError("proof inclusion --position P [--tree-size N], or proof consistency --from M --to N");
  }
  const Args rest(raw.begin() + 1, raw.end());
  if (raw.front() == "inclusion") {
    const CliArgs args(rest, {{"data", "position", "tree-size"}, {"json"}});
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
    const auto position = required(args, "position");
    auto log = open_log(args, "proof");
    if (!log) return kExitUsageOrIo;
    auto latest = ledger::CheckpointLog(*log).latest();
    const std::uint64_t signed_size = latest && *latest ? (*latest)->size : 0;
    return print_proof(api::inclusion_proof_json(*log, position, args.number("tree-size"), signed_size));
  }
  const CliArgs args(rest, {{"data", "from", "to"}, {"json"}});
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  const auto from = required(args, "from");
  const auto to = required(args, "to");
  auto log = open_log(args, "proof");
  if (!log) return kExitUsageOrIo;
  return print_proof(api::consistency_proof_json(*log, from, to));
}

int checkpoint_command(const Args& raw) {
  const CliArgs args(raw, {{"data", "at-size"}, {}});
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  auto log = open_log(args, "checkpoint");
  if (!log) return kExitUsageOrIo;
  const ledger::CheckpointLog checkpoints(*log);
  std::expected<std::optional<std::string>, ledger::Error> note = std::nullopt;
  if (auto size = args.number("at-size")) {
    note = checkpoints.at_size(*size);
  } else if (auto latest = checkpoints.latest(); !latest) {
    note = std::unexpected(latest.error());
  } else if (*latest) {
    note = (*latest)->note;
  }
  if (!note) {
    std::fprintf(stderr, "orgledger checkpoint: %s\n", note.error().message.c_str());
    return kExitUsageOrIo;
  }
  if (!*note) {
    std::fprintf(stderr, "orgledger checkpoint: not_found: %s\n",
                 args.value("at-size") ? ("no checkpoint was signed at size " + *args.value("at-size")).c_str()
                                       : "no checkpoint has been signed yet");
    return kExitRejected;
  }
  std::fwrite((*note)->data(), 1, (*note)->size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitUsageOrIo;
}

}  // namespace orgledger::tools
