// Access history, who-can and what-can on hand-built histories covering every kind of reason
// (role, team, direct grant, support grant), and the organization fold against the whole-log fold.
#include <catch2/catch.hpp>

#include "manual_clock.h"
#include "orgledger/commands/processor.h"
#include "orgledger/projections/as_of.h"
#include "orgledger/projections/reverse_lookup.h"
#include "orgledger/replay/access_history.h"
#include "orgledger/replay/diff.h"
#include "orgledger/replay/org_fold.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::commands;
using namespace orgledger::testing;
using projections::Reason;

namespace {

struct Story {
  TempDir dir;
  ManualClock clock{kSampleInstant};
  std::unique_ptr<ledger::Ledger> log = ledger::Ledger::open(dir.path(), {.clock = &clock}).value();
  std::unique_ptr<CommandProcessor> processor = CommandProcessor::start(*log, clock).value();

  ledger::Position run(std::string actor, Body body) {
    clock.advance(kHour);
    auto outcome = processor->submit(Command{std::move(actor), "", "", std::nullopt, std::move(body)});
    REQUIRE(outcome);
    return outcome->position;
  }

  // carol (legal rep), adam (admin), cleo and dora (collaborators), p-mail and p-drive.
  Story() {
    for (const char* user : {"carol", "adam", "cleo", "dora"})
      run("svc:signup", RegisterUser{user, std::string(user) + "@x.ch"});
    run("carol", CreateOrganization{"acme", "Acme"});
    run("carol", AddMember{.org = "acme", .user = "adam", .role = projections::Role::administrator});
    run("carol", AddMember{.org = "acme", .user = "cleo", .role = projections::Role::collaborator});
    run("carol", AddMember{.org = "acme", .user = "dora", .role = projections::Role::collaborator});
    run("svc:billing", RegisterProduct{"acme", "p-mail", "mail_service", "Mail", std::nullopt});
    run("svc:billing", RegisterProduct{"acme", "p-drive", "kdrive", "Drive", std::nullopt});
  }
};

const replay::AccessInterval* find(const replay::AccessHistory& history, const std::string& user, Reason::Kind kind) {
  for (const auto& interval : history.intervals) {
    if (interval.user == user && interval.via.kind == kind) return &interval;
  }
  return nullptr;
}

}  // namespace

TEST_CASE("Access history: every kind of reason opens and closes its interval, with positions and instants") {
  Story s;
  const auto product_registered = s.log->head().position;
  const auto granted = s.run("adam", GrantProductAccess{"acme", "cleo", "p-mail"});
  const auto team = s.run("adam", CreateTeam{"acme", "web", "Web"});
  (void)team;
  const auto joined = s.run("adam", AddTeamMembers{"acme", "web", {"dora"}});
  const auto team_grant = s.run("adam", GrantTeamProductAccess{"acme", "web", "p-mail"});
  const auto revoked = s.run("adam", RevokeProductAccess{"acme", "cleo", "p-mail"});
  const auto support =
      s.run("carol", GrantSupportAccess{"acme", "g1", projections::SupportScope::mail, std::nullopt, "T-1"});
  const auto assigned = s.run("svc:support", AssignSupportTicket{"T-1", "agent:zoe"});
  const auto left_team = s.run("adam", RemoveTeamMembers{"acme", "web", {"dora"}});
  const auto support_recorded_at = s.log->read(support, 1).value().front().recorded_at();
  s.clock.advance(200 * kHour);  // past the grant's 7 days (S2), with no event

  auto history = replay::access_history(*s.log, "acme", "p-mail", std::nullopt, std::nullopt, s.clock.now());
  REQUIRE(history);
  CHECK(history->as_of_position == s.log->head().position);

  // Roles: carol and adam since the product exists, still open.
  const auto* carol = find(*history, "carol", Reason::Kind::role);
  REQUIRE(carol);
  CHECK(carol->from_position == product_registered - 1);  // p-mail is the first product
  CHECK(carol->via.role == projections::Role::legal_representative);
  CHECK_FALSE(carol->to_position);
  CHECK_FALSE(carol->to);
  REQUIRE(find(*history, "adam", Reason::Kind::role));

  // P2: cleo's direct grant, from the grant to the revocation.
  const auto* cleo = find(*history, "cleo", Reason::Kind::direct_grant);
  REQUIRE(cleo);
  CHECK(cleo->from_position == granted);
  CHECK(cleo->to_position == revoked);

  // T3: dora through the team, from the later of joining and the team's grant, to leaving.
  const auto* dora = find(*history, "dora", Reason::Kind::team);
  REQUIRE(dora);
  CHECK(dora->via.team == "web");
  CHECK(dora->from_position == team_grant);
  CHECK(dora->from_position > joined);
  CHECK(dora->to_position == left_team);

  // S1/S4/S2: the agent from the ticket's assignment to the grant's expiry, ended by time.
  const auto* zoe = find(*history, "agent:zoe", Reason::Kind::support_grant);
  REQUIRE(zoe);
  CHECK(zoe->via.grant == "g1");
  CHECK(zoe->from_position == assigned);
  CHECK_FALSE(zoe->to_position);
  REQUIRE(zoe->to);
  CHECK(*zoe->to == support_recorded_at + projections::kSupportGrantLifetime);

  // Nothing for p-drive through cleo, dora or the mail agent.
  auto drive = replay::access_history(*s.log, "acme", "p-drive", std::nullopt, std::nullopt, s.clock.now());
  REQUIRE(drive);
  for (const auto& interval : drive->intervals) CHECK(interval.via.kind == Reason::Kind::role);

  // As of before the revocation, cleo's interval is open; from after it, it is gone.
  auto then = replay::access_history(
      *s.log, "acme", "p-mail", std::nullopt,
      projections::AsOf{projections::AsOf::Kind::position, static_cast<std::int64_t>(revoked - 1)}, s.clock.now());
  REQUIRE(then);
  REQUIRE(find(*then, "cleo", Reason::Kind::direct_grant));
  CHECK_FALSE(find(*then, "cleo", Reason::Kind::direct_grant)->to_position);
  auto later =
      replay::access_history(*s.log, "acme", "p-mail",
                             projections::AsOf{projections::AsOf::Kind::position, static_cast<std::int64_t>(revoked)},
                             std::nullopt, s.clock.now());
  REQUIRE(later);
  CHECK_FALSE(find(*later, "cleo", Reason::Kind::direct_grant));
  CHECK(find(*later, "carol", Reason::Kind::role));
}

TEST_CASE("A revoked support grant ends its interval at the revocation (S3)") {
  Story s;
  s.run("carol", GrantSupportAccess{"acme", "g1", projections::SupportScope::mail, "p-mail/inbox", "T-1"});
  const auto assigned = s.run("agent:zoe", AssignSupportTicket{"T-1", "agent:zoe"});
  const auto revoked = s.run("carol", RevokeSupportAccess{"acme", "g1"});
  auto history = replay::access_history(*s.log, "acme", "p-mail", std::nullopt, std::nullopt, s.clock.now());
  REQUIRE(history);
  const auto* zoe = find(*history, "agent:zoe", Reason::Kind::support_grant);
  REQUIRE(zoe);  // a grant on a resource of the product counts (S1)
  CHECK(zoe->from_position == assigned);
  CHECK(zoe->to_position == revoked);
}

TEST_CASE("who-can and what-can: complete, with every reason, the same answers as check()") {
  Story s;
  s.run("adam", GrantProductAccess{"acme", "cleo", "p-mail"});
  s.run("adam", CreateTeam{"acme", "web", "Web"});
  s.run("adam", AddTeamMembers{"acme", "web", {"cleo", "dora"}});
  s.run("adam", GrantTeamProductAccess{"acme", "web", "p-mail"});
  s.run("carol", GrantSupportAccess{"acme", "g1", projections::SupportScope::mail, std::nullopt, "T-1"});
  s.run("svc:support", AssignSupportTicket{"T-1", "agent:zoe"});
  const auto now = s.clock.now();
  s.processor->read([&](const projections::State& state) {
    const auto mail = projections::who_can(state, "acme", projections::Action::product_access, "p-mail", now);
    std::vector<std::string> users;
    for (const auto& [user, _] : mail) users.push_back(user);
    CHECK(users == std::vector<std::string>{"adam", "carol", "cleo", "dora"});  // members, as check() answers
    CHECK(mail.at("cleo").size() == 2);                                         // direct grant and team
    const auto managers =
        projections::who_can(state, "acme", projections::Action::org_manage_members, std::nullopt, now);
    CHECK(managers.size() == 2);
    const auto billing = projections::who_can(state, "acme", projections::Action::org_billing, std::nullopt, now);
    CHECK(billing.contains("carol"));
    CHECK_FALSE(billing.contains("cleo"));
    CHECK(projections::who_can(state, "acme", projections::Action::support_access, std::nullopt, now)
              .contains("agent:zoe"));
    // Eight days on, the agent can no longer (S2).
    CHECK_FALSE(
        projections::who_can(state, "acme", projections::Action::support_access, std::nullopt, now + 192 * kHour)
            .contains("agent:zoe"));

    const auto cleo = projections::what_can(state, "acme", "cleo", now);
    REQUIRE(cleo.size() == 2);  // p-mail, org.wide_share
    CHECK(cleo[0].action == projections::Action::product_access);
    CHECK(cleo[0].product == "p-mail");
    CHECK(cleo[1].action == projections::Action::org_wide_share);
    const auto zoe = projections::what_can(state, "acme", "agent:zoe", now);
    REQUIRE(zoe.size() == 1);  // support.access mail (the product itself through it: access history)
    CHECK(zoe[0].action == projections::Action::support_access);
    CHECK(zoe[0].scope == projections::SupportScope::mail);
    // A grant on one resource counts for support.access too (S1).
    return 0;
  });
  s.run("carol", GrantSupportAccess{"acme", "g2", projections::SupportScope::kdrive, "p-drive/shared", "T-2"});
  s.run("svc:support", AssignSupportTicket{"T-2", "agent:yan"});
  s.processor->read([&](const projections::State& state) {
    CHECK(projections::who_can(state, "acme", projections::Action::support_access, std::nullopt, s.clock.now())
              .contains("agent:yan"));
    const auto yan = projections::what_can(state, "acme", "agent:yan", s.clock.now());
    REQUIRE(yan.size() == 1);
    CHECK(yan[0].scope == projections::SupportScope::kdrive);
    CHECK(yan[0].because[0].grant == "g2");
    // Each answer agrees with check().
    for (const auto& capability : projections::what_can(state, "acme", "adam", now)) {
      if (capability.action == projections::Action::support_access) continue;
      CHECK(projections::check(state,
                               {"acme", "adam", capability.action, capability.product, std::nullopt, std::nullopt},
                               s.clock.now())
                .allowed);
    }
    return 0;
  });
}

TEST_CASE("The organization fold equals the whole-log fold for that organization at every position") {
  Story s;
  s.run("adam", GrantProductAccess{"acme", "cleo", "p-mail"});
  s.run("carol", CreateOrganization{"other", "Other"});  // another organization's events in between
  s.run("adam", CreateTeam{"acme", "web", "Web"});
  s.run("carol", GrantSupportAccess{"acme", "g1", projections::SupportScope::mail, std::nullopt, "T-1"});
  s.run("svc:support", AssignSupportTicket{"T-1", "agent:zoe"});
  s.run("carol", RemoveMember{"acme", "dora"});
  const auto head = s.log->head().position;
  for (ledger::Position p = 0; p <= head; ++p) {
    INFO("as of " << p);
    const projections::AsOf at{projections::AsOf::Kind::position, static_cast<std::int64_t>(p)};
    auto whole = projections::fold_as_of(*s.log, at, s.clock.now());
    auto org = replay::fold_org_as_of(*s.log, "acme", at, s.clock.now());
    REQUIRE(whole);
    REQUIRE(org);
    CHECK(org->as_of_position == whole->as_of_position);
    CHECK(org->default_at == whole->default_at);
    CHECK(org->state.organizations.contains("acme") == whole->state.organizations.contains("acme"));
    if (whole->state.organizations.contains("acme"))
      CHECK(org->state.organizations.at("acme") == whole->state.organizations.at("acme"));
    CHECK(org->state.tickets == whole->state.tickets);
  }
  // As of an instant: the last event at or before it, found by binary search.
  const auto third = s.log->read(3, 1).value().front().recorded_at();
  const projections::AsOf instant{projections::AsOf::Kind::instant, third + 1};
  auto cut = replay::cut_at(*s.log, instant, s.clock.now());
  REQUIRE(cut);
  CHECK(cut->position == 3);
  CHECK(cut->default_at == third + 1);
}

TEST_CASE("diff: what changed between two points, organization by organization") {
  Story s;
  const auto before = s.log->head().position;
  s.run("carol", ChangeMemberRole{"acme", "cleo", projections::Role::administrator});
  s.run("adam", CreateTeam{"acme", "web", "Web"});
  s.run("adam", AddTeamMembers{"acme", "web", {"dora"}});
  s.run("adam", GrantTeamProductAccess{"acme", "web", "p-mail"});
  s.run("carol", GrantSupportAccess{"acme", "g1", projections::SupportScope::mail, std::nullopt, "T-1"});
  s.run("carol", RevokeSupportAccess{"acme", "g1"});
  s.run("carol", CreateOrganization{"other", "Other"});
  auto was = projections::fold_as_of(
                 *s.log, projections::AsOf{projections::AsOf::Kind::position, static_cast<std::int64_t>(before)},
                 s.clock.now())
                 .value();
  auto is = projections::fold_as_of(*s.log, std::nullopt, s.clock.now()).value();
  const auto changes = replay::diff(was.state, was.default_at, is.state, is.default_at, std::nullopt);
  std::vector<std::string> described;
  for (const auto& change : changes) described.push_back(replay::describe(change));
  const std::vector<std::string> expected{
      "acme: cleo's role collaborator → administrator",
      "acme: cleo's billing rights no → yes",  // the administrators' default
      "acme: cleo can now access p-drive",     // an administrator reaches every product
      "acme: cleo can now access p-mail",
      "acme: dora can now access p-mail",  // through the team (T3)
      "acme: team web created",
      "acme: dora joined team web",
      "acme: team web was granted p-mail",
      "acme: support grant g1 created (revoked)",
      "other: organization created",
      "other: carol joined",
  };
  CHECK(described == expected);
  // One organization only, from its own streams.
  auto acme_before =
      replay::fold_org_as_of(*s.log, "acme",
                             projections::AsOf{projections::AsOf::Kind::position, static_cast<std::int64_t>(before)},
                             s.clock.now())
          .value();
  auto acme_now = replay::fold_org_as_of(*s.log, "acme", std::nullopt, s.clock.now()).value();
  CHECK(replay::diff(acme_before.state, acme_before.default_at, acme_now.state, acme_now.default_at, "acme").size() ==
        9);
  CHECK(replay::diff(is.state, is.default_at, is.state, is.default_at, std::nullopt).empty());
}
