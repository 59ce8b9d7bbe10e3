// `orgledger submit [--file F] [--json]`: one JSON command, or JSON Lines, from F or stdin; one
// result per command, printed in order as soon as it is durable.
#include <algorithm>
#include <cstdio>
#include <deque>
#include <fstream>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "cli_args.h"
#include "orgledger/vault/vault.h"
#include "data_dir.h"
#include "orgledger/api/answer_json.h"
#include "orgledger/api/command_json.h"
#include "orgledger/api/token_requests.h"
#include "orgledger/commands/command_ids.h"
#include "orgledger/commands/processor.h"
#include "orgledger/ledger/checkpointer.h"
#include "orgledger/ledger/ledger.h"
#include "query_support.h"
#include "remote_query.h"
#include "subcommands.h"

namespace orgledger::tools {
namespace {

constexpr std::size_t kInFlight = 256;  // commands submitted ahead of the answers printed

// One command's answer: the body of POST /v1/commands (success or problem), whole with --json.
void print_answer(const api::Json& body, bool json) {
  if (json) {
    std::printf("%s\n", body.dump().c_str());
  } else if (!body.contains("code")) {
    std::printf("ok: position %llu%s\n", body["position"].get<unsigned long long>(),
                body.value("duplicate", false) ? " (duplicate: the first answer)" : "");
  } else {
    const std::string rule = body.value("rule", std::string());
    std::printf("%s%s: %s\n", body["code"].get<std::string>().c_str(), rule.empty() ? "" : (" (" + rule + ")").c_str(),
                body.value("detail", std::string()).c_str());
  }
  std::fflush(stdout);
}

// The commands of the input as texts: a single JSON object (possibly over several lines), or
// JSON Lines (blank lines skipped).
std::vector<std::string> read_inputs(std::istream& in) {
  std::stringstream whole;
  whole << in.rdbuf();
  std::string text = whole.str();
  const auto single = nlohmann::json::parse(text, nullptr, false);
  if (!single.is_discarded() && single.is_object()) return {std::move(text)};
  std::vector<std::string> out;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find_first_not_of(" \t\r") != std::string::npos) out.push_back(line);
  }
  return out;
}

// Time to wait before sending a command again: the server is rebuilding its state (503) or the
// token is over its rate (429), both with Retry-After; nullopt for any other answer.
// A store that failed also answers 503, but stays failed (fail-stop): that is not waited out.
std::optional<std::chrono::seconds> retry_after(const RemoteReply& reply) {
  if (!reply.retry_after || (reply.status != 503 && reply.status != 429)) return std::nullopt;
  const auto body = nlohmann::json::parse(reply.body, nullptr, false);
  const bool starting = body.is_object() && body.value("detail", "").starts_with("the server is starting");
  if (reply.status == 503 && !starting) return std::nullopt;
  return std::chrono::seconds(std::clamp(*reply.retry_after, 1, 10));
}

// With a server (API.md): each command is POSTed in the input's order, one after the other (a
// command may depend on the one before), each with a command id so that a resend after a lost
// connection is answered, not applied twice. The server's answer is printed as it comes.
int remote_submit(RemoteServer& server, const std::vector<std::string>& inputs, const CliArgs& args) {
  const bool json = args.flag("json");
  commands::CommandIds ids(ledger::system_clock().now(), ledger::Env::system().random());
  bool all_accepted = true;
  for (const auto& text : inputs) {
    auto command = api::Json::parse(text, nullptr, false);
    std::string body = text;  // not an object: the server says why, as for any bad body
    if (command.is_object() && !command.contains("command_id")) {
      command["command_id"] = ids.next();
      body = command.dump();
    }
    auto reply = server.post("/v1/commands", body);
    // While the server rebuilds its state, or over a rate: wait and send again, a minute at most.
    for (auto waited = std::chrono::seconds(0); reply && waited < std::chrono::seconds(60);) {
      const auto wait = retry_after(*reply);
      if (!wait) break;
      std::this_thread::sleep_for(*wait);
      waited += *wait;
      reply = server.post("/v1/commands", body);
    }
    if (!reply) {
      std::fprintf(stderr, "orgledger submit: %s\n", reply.error().c_str());
      return kExitUsageOrIo;
    }
    // No valid token: nothing of the input can be taken (a usage error, not a rejection).
    if (reply->status == 401) return remote_failure(reply->status, reply->body, args, "submit");
    const auto answer = api::Json::parse(reply->body, nullptr, false);
    if (!answer.is_object()) {
      std::fprintf(stderr, "orgledger submit: the server answered %d, not JSON\n", reply->status);
      return kExitUsageOrIo;
    }
    print_answer(answer, json);
    if (reply->status >= 500) return kExitUsageOrIo;  // the store failed: what follows would too
    all_accepted = all_accepted && reply->status == 200;
  }
  return all_accepted ? kExitOk : kExitRejected;
}

}  // namespace

int submit_command(const Args& raw) {
  const CliArgs args(raw,
                     with_remote({{"data", "file", "calendar", "master-key-file", "origin", "checkpoint-key"}, {"json"}}));
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  auto server = RemoteServer::from_args(args);
  if (server) {
    for (const char* local : {"calendar", "master-key-file", "origin", "checkpoint-key"}) {
      if (args.value(local)) throw UsageError(std::string("--") + local + " is the server's with --server");
    }
  }
  const auto& calendar = calendar_of(args);
  std::ifstream file;
  if (auto path = args.value("file")) {
    file.open(*path);
    if (!file) {
      std::fprintf(stderr, "orgledger submit: cannot read %s\n", path->c_str());
      return kExitUsageOrIo;
    }
  }
  const auto texts = read_inputs(args.value("file") ? static_cast<std::istream&>(file) : std::cin);
  if (server) return remote_submit(*server, texts, args);

  auto opened = ledger::Ledger::open(data_directory(args));
  if (!opened) {
    std::fprintf(stderr, "orgledger submit: %s\n", opened.error().message.c_str());
    return kExitUsageOrIo;
  }
  // G1: the data keys, in their own key store beside the log, wrapped by the master key.
  vault::Options vault_options{.directory = data_directory(args) + "/vault"};
  if (auto file = args.value("master-key-file")) vault_options.master_key_file = *file;
  auto vault = vault::Vault::open(vault_options);
  if (!vault) {
    std::fprintf(stderr, "orgledger submit: the vault: %s\n", vault.error().message.c_str());
    return kExitUsageOrIo;
  }
  auto processor = commands::CommandProcessor::start(**opened, ledger::system_clock(), calendar, {}, {}, vault->get());
  if (!processor) {
    std::fprintf(stderr, "orgledger submit: %s\n", processor.error().message.c_str());
    return kExitUsageOrIo;
  }
  // Issue 14: the commands' tree is signed before this process ends (at its start too, when the
  // log grew without a signer). Declared after the processor, so destroyed — and signing — first,
  // once every answer is in.
  auto checkpoints = ledger::Checkpointer::start(**opened, {.origin = args.value("origin").value_or(""),
                                                            .key_file = args.value("checkpoint-key").value_or(""),
                                                            .note = [](const std::string& text) {
                                                              std::fprintf(stderr, "orgledger submit: %s\n", text.c_str());
                                                            }});
  if (!checkpoints) {
    std::fprintf(stderr, "orgledger submit: checkpoints: %s\n", checkpoints.error().message.c_str());
    return kExitUsageOrIo;
  }
  const bool json = args.flag("json");
  bool all_accepted = true;
  bool ledger_failed = false;
  // D4: the command line without a server vouches for its commands as the OS user.
  const ledger::Via via{api::local_principal(), std::nullopt};
  std::deque<std::pair<std::future<commands::Outcome>, std::string>> pending;  // with its command id
  auto print_front = [&] {
    auto outcome = pending.front().first.get();
    const std::string command_id = std::move(pending.front().second);
    pending.pop_front();
    all_accepted = all_accepted && outcome.has_value();
    ledger_failed = ledger_failed || (!outcome && outcome.error().ledger);
    print_answer(api::outcome_json(outcome, command_id), json);
  };
  for (const auto& text : texts) {
    // A text that is not a command becomes its invalid_argument result, in its place.
    auto input = api::parse_command(std::string_view(text));
    auto promise = std::make_shared<std::promise<commands::Outcome>>();
    if (!input) {
      pending.emplace_back(promise->get_future(), (*processor)->new_command_id());
      promise->set_value(std::unexpected(
          commands::Failure{.rejection = commands::reject(commands::Code::invalid_argument, "", input.error())}));
    } else {
      if (input->command_id.empty()) input->command_id = (*processor)->new_command_id();
      input->via = via;
      pending.emplace_back(promise->get_future(), input->command_id);
      (*processor)->submit(std::move(*input), [promise](commands::Outcome o) { promise->set_value(std::move(o)); });
    }
    // Print every answer already in, in order; keep at most kInFlight waiting.
    while (!pending.empty() && (pending.size() > kInFlight ||
                                pending.front().first.wait_for(std::chrono::seconds(0)) == std::future_status::ready)) {
      print_front();
    }
  }
  while (!pending.empty()) print_front();
  if (ledger_failed) return kExitUsageOrIo;
  return all_accepted ? kExitOk : kExitRejected;
}

}  // namespace orgledger::tools
