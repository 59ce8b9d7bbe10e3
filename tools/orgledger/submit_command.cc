// `orgledger submit [--file F] [--json]`: one JSON command, or JSON Lines, from F or stdin; one
// result per command, printed in order as soon as it is durable.
#include <cstdio>
#include <deque>
#include <fstream>
#include <future>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "cli_args.h"
#include "orgledger/vault/vault.h"
#include "data_dir.h"
#include "orgledger/api/answer_json.h"
#include "orgledger/api/command_json.h"
#include "orgledger/api/token_requests.h"
#include "orgledger/commands/processor.h"
#include "orgledger/ledger/checkpointer.h"
#include "orgledger/ledger/ledger.h"
#include "query_support.h"
#include "subcommands.h"

namespace orgledger::tools {
namespace {

constexpr std::size_t kInFlight = 256;  // commands submitted ahead of the answers printed

void print_outcome(const commands::Outcome& outcome, const std::string& command_id, bool json) {
  const auto body = api::outcome_json(outcome, command_id);
  if (json) {
    std::printf("%s\n", body.dump().c_str());
  } else if (outcome) {
    std::printf("ok: position %llu%s\n", static_cast<unsigned long long>(outcome->position),
                outcome->duplicate ? " (duplicate: the first answer)" : "");
  } else {
    std::printf("%s%s: %s\n", body["code"].get<std::string>().c_str(),
                body["rule"].get<std::string>().empty() ? "" : (" (" + body["rule"].get<std::string>() + ")").c_str(),
                body["detail"].get<std::string>().c_str());
  }
  std::fflush(stdout);
}

// The commands of the input: a single JSON object (possibly over several lines) or JSON Lines.
// A line that is not a command becomes its invalid_argument result, in its place.
std::vector<std::expected<commands::Command, std::string>> read_commands(std::istream& in) {
  std::stringstream whole;
  whole << in.rdbuf();
  const std::string text = whole.str();
  std::vector<std::expected<commands::Command, std::string>> out;
  const auto single = nlohmann::json::parse(text, nullptr, false);
  if (!single.is_discarded() && single.is_object()) {
    out.push_back(api::parse_command(single));
    return out;
  }
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
    out.push_back(api::parse_command(std::string_view(line)));
  }
  return out;
}

}  // namespace

int submit_command(const Args& raw) {
  const CliArgs args(raw, {{"data", "file", "calendar", "master-key-file", "origin", "checkpoint-key"}, {"json"}});
  const auto& calendar = calendar_of(args);
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  std::ifstream file;
  if (auto path = args.value("file")) {
    file.open(*path);
    if (!file) {
      std::fprintf(stderr, "orgledger submit: cannot read %s\n", path->c_str());
      return kExitUsageOrIo;
    }
  }
  auto inputs = read_commands(args.value("file") ? static_cast<std::istream&>(file) : std::cin);

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
    print_outcome(outcome, command_id, json);
  };
  for (auto& input : inputs) {
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
