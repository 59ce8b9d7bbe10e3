// Given events, when a command, then events or a rejection (ARCHITECTURE.md, tests read like the
// rules). The given events go through a real ledger and evolve (StateBuilder).
#pragma once

#include <catch2/catch.hpp>

#include "orgledger/commands/decide.h"
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
      s.given("user:" + std::string(user), fb::UserRegisteredT{.user = user, .login = std::string(user) + "@example.ch"});
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

  std::expected<commands::Events, commands::Rejection> when(const std::string& actor, commands::Body body,
                                                           std::optional<ledger::StreamVersion> expected = std::nullopt) {
    commands::Command command{actor, "cmd", "", expected, std::move(body)};
    return commands::decide(state(), command, clock().now());
  }
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
