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
#include "remote_query.h"
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

// With a server: the proof of GET `target`, printed as the local path prints it; nullopt without one.
std::optional<int> remote_proof(const CliArgs& args, const Target& target) {
  auto server = RemoteServer::from_args(args);
  if (!server) return std::nullopt;
  auto body = remote_json(*server, target, args, "proof");
  if (!body) return body.error();
  // The server is not trusted for its own proof: the path must lead to the root it names.
  if (auto checked = api::check_proof_json(*body); !checked) {
    std::fprintf(stderr, "orgledger proof: the server's answer is no valid proof: %s\n", checked.error().c_str());
    return kExitRejected;
  }
  std::printf("%s\n", body->dump().c_str());
  return kExitOk;
}

// With a server: its latest checkpoint (GET /v1/tree/checkpoint), as stored; nullopt without one.
std::optional<int> remote_checkpoint(const CliArgs& args) {
  auto server = RemoteServer::from_args(args);
  if (!server) return std::nullopt;
  if (args.value("at-size")) throw UsageError("--at-size reads the data directory: the API serves the latest only");
  auto reply = server->get("/v1/tree/checkpoint");
  if (!reply) {
    std::fprintf(stderr, "orgledger checkpoint: %s\n", reply.error().c_str());
    return kExitUsageOrIo;
  }
  if (reply->status == 404) {  // none signed yet: exit 1, as on the data directory
    std::fprintf(stderr, "orgledger checkpoint: not_found: no checkpoint has been signed yet\n");
    return kExitRejected;
  }
  if (reply->status != 200) return remote_failure(reply->status, reply->body, args, "checkpoint");
  std::fwrite(reply->body.data(), 1, reply->body.size(), stdout);
  return std::fflush(stdout) == 0 ? kExitOk : kExitUsageOrIo;
}

}  // namespace

int proof_command(const Args& raw) {
  if (raw.empty() || (raw.front() != "inclusion" && raw.front() != "consistency")) {
    throw UsageError("proof inclusion --position P [--tree-size N], or proof consistency --from M --to N");
  }
  const Args rest(raw.begin() + 1, raw.end());
  if (raw.front() == "inclusion") {
    const CliArgs args(rest, with_remote({{"data", "position", "tree-size"}, {"json"}}));
    if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
    const auto position = required(args, "position");
    args.number("tree-size");  // a usage error, before any request
    if (auto remote = remote_proof(args, Target("/v1/tree/inclusion")
                                             .add("position", std::to_string(position))
                                             .add("tree_size", args.value("tree-size")))) {
      return *remote;
    }
    auto log = open_log(args, "proof");
    if (!log) return kExitUsageOrIo;
    auto latest = ledger::CheckpointLog(*log).latest();
    const std::uint64_t signed_size = latest && *latest ? (*latest)->size : 0;
    return print_proof(api::inclusion_proof_json(*log, position, args.number("tree-size"), signed_size));
  }
  const CliArgs args(rest, with_remote({{"data", "from", "to"}, {"json"}}));
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  const auto from = required(args, "from");
  const auto to = required(args, "to");
  if (auto remote = remote_proof(args, Target("/v1/tree/consistency")
                                           .add("from", std::to_string(from))
                                           .add("to", std::to_string(to)))) {
    return *remote;
  }
  auto log = open_log(args, "proof");
  if (!log) return kExitUsageOrIo;
  return print_proof(api::consistency_proof_json(*log, from, to));
}

int checkpoint_command(const Args& raw) {
  const CliArgs args(raw, with_remote({{"data", "at-size"}, {}}));
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  args.number("at-size");  // a usage error, before any request
  if (auto remote = remote_checkpoint(args)) return *remote;
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
