// `orgledger user USER`, `identity-verification CASE`, `order ORDER` (API.md: the queries of
// U1/G3, K1–K4 and K5), each with --as-of, --at and --json; personal data redacted unless
// --reveal-personal-data (G3). A case or an order as of a point folds only its own stream.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "data_dir.h"
#include "orgledger/api/answer_json.h"
#include "orgledger/commands/stream_names.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/replay/org_fold.h"
#include "personal_access.h"
#include "query_support.h"
#include "remote_query.h"
#include "subcommands.h"

namespace orgledger::tools {
namespace {

const OptionSpec kOptions =
    with_remote({{"data", "as-of", "at", "master-key-file"}, {"json", "reveal-personal-data", "reveal-reporter"}});

std::string single_id(const CliArgs& args, const char* subcommand) {
  if (args.positional().size() != 1) throw UsageError(std::string(subcommand) + " takes one id");
  return args.positional().front();
}

int print(const CliArgs& args, const api::Json& body) {
  std::printf("%s\n", args.flag("json") ? body.dump().c_str() : body.dump(2).c_str());
  return kExitOk;
}

int not_found(const CliArgs& args, const std::string& what, const char* because = "does not exist") {
  print_problem(args, api::problem_json(commands::Code::not_found, "", what + " " + because));
  return kExitRejected;
}

// The state of one stream as of --as-of, with the instant of --at (else the as-of's).
struct StreamState {
  std::unique_ptr<ledger::Ledger> ledger;
  projections::Folded folded;
  ledger::Micros at = 0;
};

std::optional<StreamState> fold_stream(const CliArgs& args, const std::string& stream, const char* subcommand) {
  const auto as_of = as_of_of(args);
  auto opened = ledger::Ledger::open(data_directory(args), {.mode = ledger::OpenMode::read_only});
  if (!opened) {
    std::fprintf(stderr, "orgledger %s: %s\n", subcommand, opened.error().message.c_str());
    return std::nullopt;
  }
  auto folded = replay::fold_streams_as_of(**opened, {stream}, as_of, ledger::system_clock().now());
  if (!folded) {
    std::fprintf(stderr, "orgledger %s: %s\n", subcommand, folded.error().message.c_str());
    return std::nullopt;
  }
  StreamState out{std::move(*opened), std::move(*folded), 0};
  out.at = instant_of(args, out.folded);
  return out;
}


// With a server: the body of GET `path`/{id} printed as the local path prints it; nullopt without
// one. The server's vault and token decide what is revealed (G3).
std::optional<int> print_remote(const CliArgs& args, const std::string& path, const std::string& id,
                                const char* subcommand) {
  auto server = RemoteServer::from_args(args);
  if (!server) return std::nullopt;
  if (args.value("master-key-file")) throw UsageError("--master-key-file is the server's with --server");
  auto body = remote_json(*server, Target(path + url_encode(id)).add_as_of_at(args), args, subcommand);
  if (!body) return body.error();
  return print(args, *body);
}

}  // namespace

int user_command(const Args& raw) {
  const CliArgs args(raw, kOptions);
  const std::string id = single_id(args, "user");
  if (auto remote = print_remote(args, "/v1/users/", id, "user")) return *remote;
  auto folded = load_state(args, "user");
  if (!folded) return kExitUsageOrIo;
  auto user = folded->state.users.find(id);
  if (user == folded->state.users.end()) return not_found(args, "user " + id, "is not registered");
  auto vault = open_local_vault(args, "user");
  if (!vault) return kExitUsageOrIo;
  return print(args, api::user_json(id, user->second, folded->state, personal_view_of(args, vault->get()),
                                    folded->as_of_position));
}

int identity_verification_command(const Args& raw) {
  const CliArgs args(raw, kOptions);
  const std::string id = single_id(args, "identity-verification");
  if (auto remote = print_remote(args, "/v1/identity-verifications/", id, "identity-verification")) return *remote;
  auto state = fold_stream(args, commands::identity_case_stream(id), "identity-verification");
  if (!state) return kExitUsageOrIo;
  auto found = state->folded.state.cases.find(id);
  if (found == state->folded.state.cases.end()) return not_found(args, "identity verification " + id);
  auto vault = open_local_vault(args, "identity-verification");
  if (!vault) return kExitUsageOrIo;
  return print(args, api::identity_verification_json(id, found->second, api::document_contents(*state->ledger, found->second),
                                                     personal_view_of(args, vault->get()), state->at,
                                                     state->folded.as_of_position));
}

int order_command(const Args& raw) {
  const CliArgs args(raw, kOptions);
  const std::string id = single_id(args, "order");
  if (auto remote = print_remote(args, "/v1/orders/", id, "order")) return *remote;
  auto state = fold_stream(args, commands::order_stream(id), "order");
  if (!state) return kExitUsageOrIo;
  auto found = state->folded.state.orders.find(id);
  if (found == state->folded.state.orders.end()) return not_found(args, "order " + id);
  return print(args, api::order_json(id, found->second, state->at, state->folded.as_of_position));
}

}  // namespace orgledger::tools
