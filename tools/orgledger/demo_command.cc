// `orgledger demo`: the main job until the HTTP server exists (issue 4) — appends a short story
// (a sign-up, an organization with its legal representative, a colleague), prints it, verifies.
#include <cstdio>
#include <expected>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "data_dir.h"
#include "orgledger/api/event_json.h"
#include "orgledger/api/token_requests.h"
#include "orgledger/ledger/event_codec.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/verify.h"
#include "orgledger/vault/vault.h"
#include "subcommands.h"

namespace orgledger::tools {
namespace {

namespace schema = orgledger::schema;

ledger::CommandAppend command(std::string id, std::string actor) {
  ledger::CommandAppend out;
  out.command_id = std::move(id);
  out.actor = std::move(actor);
  out.via = ledger::Via{api::local_principal(), std::nullopt};  // D4: the command line vouches
  return out;
}

// G1: a login as events hold it, sealed under the user's own data key.
std::expected<std::unique_ptr<schema::SealedT>, vault::Error> sealed_login(vault::Vault& vault, const std::string& user,
                                                                           const std::string& login) {
  auto key = vault.fresh_key();
  if (!key) return std::unexpected(key.error());
  auto sealed = vault.seal(*key, "user:" + user, login);
  if (!sealed) return std::unexpected(sealed.error());
  auto out = std::make_unique<schema::SealedT>();
  out->key_id = sealed->key_id;
  out->nonce.assign(sealed->nonce.begin(), sealed->nonce.end());
  out->ciphertext.assign(sealed->ciphertext.begin(), sealed->ciphertext.end());
  return out;
}

}  // namespace

int demo_command(const Args& raw) {
  const CliArgs args(raw, {{"data", "master-key-file"}, {}});
  const std::string dir = data_directory(args);
  vault::Options vault_options{.directory = dir + "/vault"};
  if (auto file = args.value("master-key-file")) vault_options.master_key_file = *file;
  auto vault = vault::Vault::open(vault_options);
  if (!vault) {
    std::fprintf(stderr, "orgledger demo: the vault: %s\n", vault.error().message.c_str());
    return kExitUsageOrIo;
  }
  std::vector<ledger::CommandAppend> story;
  for (const char* user : {"carol", "dan"}) {
    auto login = sealed_login(**vault, user, std::string(user) + "@example.ch");
    if (!login) {
      std::fprintf(stderr, "orgledger demo: %s\n", login.error().message.c_str());
      return kExitUsageOrIo;
    }
    auto cmd = command(std::string("demo-register-") + user, "svc:signup");
    schema::UserRegisteredT registered;
    registered.user = user;
    registered.login_sealed = std::move(*login);
    add_event(cmd, std::string("user:") + user, std::move(registered));
    story.push_back(std::move(cmd));
  }
  {
    // O1: the creator becomes legal representative, in the same atomic command.
    auto cmd = command("demo-create-acme", "carol");
    add_event(cmd, "org:acme", schema::OrganizationCreatedT{.org = "acme", .name = "Acme SA"});
    add_event(cmd, "org:acme",
              schema::MemberAddedT{.org = "acme", .user = "carol", .role = schema::Role::legal_representative});
    story.push_back(std::move(cmd));
  }
  {
    auto cmd = command("demo-add-dan", "carol");
    add_event(cmd, "org:acme",
              schema::MemberAddedT{.org = "acme",
                                   .user = "dan",
                                   .role = schema::Role::collaborator,
                                   .products = {"p-mail"},
                                   .contact_prefs = {schema::ContactPref::technical}});
    story.push_back(std::move(cmd));
  }
  {
    auto opened = ledger::Ledger::open(dir);
    if (!opened) {
      std::fprintf(stderr, "orgledger demo: %s\n", opened.error().message.c_str());
      return kExitUsageOrIo;
    }
    auto& log = **opened;
    for (auto& cmd : story) {
      const std::string id = cmd.command_id;
      auto answer = log.append(std::move(cmd));
      if (!answer) {
        std::fprintf(stderr, "orgledger demo: %s: %s\n", id.c_str(), answer.error().message.c_str());
        return kExitUsageOrIo;
      }
      std::printf("%-22s -> position %llu%s\n", id.c_str(), static_cast<unsigned long long>(answer->position),
                  answer->duplicate ? " (already appended: the first answer)" : "");
    }
    auto events = log.read(1, 20);
    if (!events) {
      std::fprintf(stderr, "orgledger demo: %s\n", events.error().message.c_str());
      return kExitUsageOrIo;
    }
    std::printf("\nthe log in %s (first %zu events):\n", dir.c_str(), events->size());
    for (const auto& event : *events) std::printf("%s\n", api::event_to_json(event, api::PersonalView::redacted(vault->get(), ledger::system_clock().now())).dump().c_str());
  }
  auto report = ledger::verify_ledger(dir);
  if (!report) {
    std::fprintf(stderr, "orgledger demo: %s\n", report.error().message.c_str());
    return kExitUsageOrIo;
  }
  std::printf("\nverify: %s, %llu events, head %s\n", report->ok ? "ok" : "BROKEN",
              static_cast<unsigned long long>(report->checked), ledger::to_hex(report->head.hash).c_str());
  return report->ok ? kExitOk : kExitRejected;
}

}  // namespace orgledger::tools
