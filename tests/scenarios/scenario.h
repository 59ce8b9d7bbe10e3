// Given events, when a command, then events or a rejection (ARCHITECTURE.md, tests read like the
// rules). The given events go through a real ledger and evolve (StateBuilder).
#pragma once

#include <catch2/catch.hpp>

#include "legacy_events.h"
#include "manual_clock.h"
#include "orgledger/commands/decide.h"
#include "orgledger/commands/personal_data.h"
#include "orgledger/vault/vault.h"
#include "state_builder.h"

namespace orgledger::testing {

namespace fb = orgledger::schema;
using commands::Code;

class Scenario : public StateBuilder {
 public:
  // acme: carol legal representative, adam administrator, cleo collaborator, ezra external;
  // products p-mail (mail_service) and p-drive (kdrive); xena registered, not a member.
  void given_acme() {
    Scenario& s = *this;
    for (const char* user : {"carol", "adam", "cleo", "ezra", "xena"}) {
      s.given("user:" + std::string(user), testing::clear_user_registered(user, std::string(user) + "@example.ch"));
    }
    s.given("org:acme", fb::OrganizationCreatedT{.org = "acme", .name = "Acme"}, "carol");
    s.given("org:acme", fb::MemberAddedT{.org = "acme", .user = "carol", .role = fb::Role::legal_representative}, "carol");
    s.given("org:acme", fb::MemberAddedT{.org = "acme", .user = "adam", .role = fb::Role::administrator}, "carol");
    s.given("org:acme", fb::MemberAddedT{.org = "acme", .user = "cleo", .role = fb::Role::collaborator}, "carol");
    s.given("org:acme", fb::MemberAddedT{.org = "acme", .user = "ezra", .role = fb::Role::external}, "carol");
    for (auto [id, kind] : {std::pair{"p-mail", "mail_service"}, std::pair{"p-drive", "kdrive"}}) {
      fb::ProductRegisteredT product;
      product.org = "acme";
      product.product = id;
      product.kind = kind;
      s.given("org:acme", std::move(product), "svc:billing");
    }
  }

  // Personal data is sealed first, as the processor does (G1: decide sees only ciphertext); a
  // command whose validation fails is decided unsealed, as the processor never would, so that the
  // rejection is the validator's.
  std::expected<commands::Events, commands::Rejection> when(const std::string& actor, commands::Body body,
                                                           std::optional<ledger::StreamVersion> expected = std::nullopt) {
    commands::Command command{actor, "cmd", "", expected, std::move(body)};
    if (!commands::validate(command, clock().now())) REQUIRE(commands::seal_personal_data(command, vault()));
    return commands::decide(state(), command, clock().now());
  }

  // Given: what `when` decided, appended as its command and folded in. Returns its last position.
  ledger::Position accept(const std::expected<commands::Events, commands::Rejection>& decided,
                          const std::string& actor = "svc:test") {
    REQUIRE(decided);
    ledger::CommandAppend command;
    command.command_id = next_command_id();
    command.actor = actor;
    for (const auto& event : *decided) ledger::add_event(command, event.stream, event.payload);
    return given_command(std::move(command));
  }

  vault::Vault& vault() {
    if (!vault_) vault_ = vault::Vault::open({.directory = vault_dir_.sub("vault")}).value();
    return *vault_;
  }

 private:
  TempDir vault_dir_;
  std::unique_ptr<vault::Vault> vault_;
};

// The event types of an accepted decision, in order.
inline std::vector<std::string> types(const commands::Events& events) {
  std::vector<std::string> out;
  for (const auto& e : events) out.emplace_back(fb::EnumNameEvent(e.payload.type));
  return out;
}

#define THEN_REJECTED(outcome, expected_code, expected_rule)          \
  do {                                                                 \
    const auto& then_outcome = (outcome);                              \
    REQUIRE_FALSE(then_outcome.has_value());                           \
    CHECK(commands::to_string(then_outcome.error().code) == std::string(commands::to_string(expected_code))); \
    CHECK(then_outcome.error().rule == (expected_rule));               \
  } while (false)

}  // namespace orgledger::testing
