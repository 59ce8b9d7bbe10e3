// D3: the state as of a position never shows half a command; as of an instant, what was recorded
// by then.
#include <catch2/catch.hpp>

#include "legacy_events.h"
#include "orgledger/projections/as_of.h"
#include "state_builder.h"

using namespace orgledger;
using namespace orgledger::projections;
using orgledger::testing::StateBuilder;
namespace fb = orgledger::schema;

TEST_CASE("D3: as of a position inside a multi-event command, the command is not visible") {
  StateBuilder given;
  given.given("user:carol", testing::clear_user_registered("carol", "c@example.ch"));  // position 1
  given.clock().advance(1'000'000);
  ledger::CommandAppend create;
  create.command_id = "create";
  create.actor = "carol";
  ledger::add_event(create, "org:acme", fb::OrganizationCreatedT{.org = "acme", .name = "Acme"});  // 2
  ledger::add_event(create, "org:acme", fb::MemberAddedT{.org = "acme", .user = "carol", .role = fb::Role::legal_representative});  // 3
  REQUIRE(given.ledger().append(std::move(create)));
  const auto now = given.clock().now();

  auto at = [&](std::optional<AsOf> as_of) { return fold_as_of(given.ledger(), as_of, now + 5).value(); };
  const auto half = at(AsOf{AsOf::Kind::position, 2});
  CHECK(half.as_of_position == 1);
  CHECK(half.state.organizations.empty());
  CHECK(half.default_at == half.state.recorded_at);
  const auto whole = at(AsOf{AsOf::Kind::position, 3});
  CHECK(whole.as_of_position == 3);
  CHECK(whole.state.organizations.at("acme").members.at("carol").role == Role::legal_representative);
  CHECK(at(AsOf{AsOf::Kind::position, 99}).as_of_position == 3);  // beyond the head: the head
  CHECK(at(AsOf{AsOf::Kind::position, 0}).as_of_position == 0);

  const auto before = at(AsOf{AsOf::Kind::instant, now - 1});
  CHECK(before.as_of_position == 1);
  CHECK(before.default_at == now - 1);
  CHECK(at(AsOf{AsOf::Kind::instant, now}).as_of_position == 3);
  const auto latest = at(std::nullopt);
  CHECK(latest.as_of_position == 3);
  CHECK(latest.default_at == now + 5);
}
