// Embedding orgledger in a C++ program: open a ledger in a directory, submit commands through the
// processor (each answered once durable), then ask a permission check with its reasons.
//
//   embed_example DIR   prints "allowed because team web" and exits 0 (1 if the check says no)
#include <cstdio>
#include <string>

#include "orgledger/commands/processor.h"
#include "orgledger/ledger/clock.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/projections/access.h"
#include "orgledger/vault/vault.h"

using namespace orgledger;

namespace {

// Submits one command as `actor`; false (and a message) when it is not accepted.
bool submit(commands::CommandProcessor& processor, const std::string& actor, commands::Body body) {
  commands::Command command;
  command.actor = actor;
  command.body = std::move(body);
  const auto outcome = processor.submit(std::move(command));
  if (!outcome) {
    const auto& failure = outcome.error();
    std::fprintf(stderr, "rejected: %s\n", failure.rejection ? failure.rejection->detail.c_str() : "the ledger failed");
    return false;
  }
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: embed_example DIR\n");
    return 2;
  }
  const std::string directory = argv[1];
  auto ledger = ledger::Ledger::open(directory);
  if (!ledger) {
    std::fprintf(stderr, "open: %s\n", ledger.error().message.c_str());
    return 2;
  }
  // Personal data (logins) is sealed with per-subject keys kept beside the log (G1).
  auto vault = vault::Vault::open({.directory = directory + "/vault"});
  if (!vault) {
    std::fprintf(stderr, "vault: %s\n", vault.error().message.c_str());
    return 2;
  }
  const auto& clock = ledger::system_clock();
  auto processor = commands::CommandProcessor::start(**ledger, clock, projections::BusinessCalendar::geneva(), {}, {},
                                                      vault->get());
  if (!processor) {
    std::fprintf(stderr, "start: %s\n", processor.error().message.c_str());
    return 2;
  }
  auto& p = **processor;
  const bool stored =
      submit(p, "svc:signup", commands::RegisterUser{"carol", "carol@example.ch"}) &&
      submit(p, "svc:signup", commands::RegisterUser{"erin", "erin@example.ch"}) &&
      submit(p, "carol", commands::CreateOrganization{"acme", "Acme SA"}) &&
      submit(p, "carol", commands::RegisterProduct{"acme", "p-drive", "kdrive", "kDrive", std::nullopt}) &&
      submit(p, "carol", commands::AddMember{.org = "acme", .user = "erin"}) &&
      submit(p, "carol", commands::CreateTeam{"acme", "web", "Web"}) &&
      submit(p, "carol", commands::AddTeamMembers{"acme", "web", {"erin"}}) &&
      submit(p, "carol", commands::GrantTeamProductAccess{"acme", "web", "p-drive"});
  if (!stored) return 2;

  const projections::CheckRequest question{.org = "acme", .user = "erin", .action = projections::Action::product_access,
                                           .product = "p-drive"};
  const auto result = p.read([&](const projections::State& state) { return projections::check(state, question, clock.now()); });
  std::printf("%s", result.allowed ? "allowed" : "denied");
  for (const auto& reason : result.because) {
    std::printf(" because %s%s", projections::to_string(reason.kind), reason.team.empty() ? "" : (" " + reason.team).c_str());
  }
  std::printf(" (head position %llu)\n", static_cast<unsigned long long>((*ledger)->head().position));
  return result.allowed ? 0 : 1;
}
