// The command processor end to end on a real ledger: decisions against state including earlier
// commands of the same group, D2 entries, idempotency of refusals, rebuild on start.
#include <catch2/catch.hpp>

#include <atomic>
#include <condition_variable>
#include <future>
#include <thread>

#include "legacy_events.h"
#include "gate_clock.h"
#include "manual_clock.h"
#include "orgledger/commands/processor.h"
#include "orgledger/ledger/event_codec.h"
#include "orgledger/projections/as_of.h"
#include "orgledger/projections/digest.h"
#include "orgledger/projections/evolve.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::commands;
using orgledger::testing::kSampleInstant;
using orgledger::testing::GateClock;
using orgledger::testing::ManualClock;
using orgledger::testing::TempDir;

namespace {

Command as(std::string actor, Body body, std::string id = "") { return Command{std::move(actor), std::move(id), "", std::nullopt, std::move(body)}; }

struct Running {
  TempDir dir;
  ManualClock clock{kSampleInstant};
  std::unique_ptr<ledger::Ledger> log;
  std::unique_ptr<CommandProcessor> processor;

  Running() { open(); }
  void open(const ledger::Clock* ledger_clock = nullptr) {
    log = ledger::Ledger::open(dir.path(), {.clock = ledger_clock ? ledger_clock : &clock}).value();
    processor = CommandProcessor::start(*log, clock).value();
  }
  void close() {
    processor.reset();
    log.reset();
  }
  Outcome run(std::string actor, Body body, std::string id = "") { return processor->submit(as(std::move(actor), std::move(body), std::move(id))); }
  void acme() {
    REQUIRE(run("svc:signup", RegisterUser{"carol", "carol@example.ch"}));
    REQUIRE(run("svc:signup", RegisterUser{"dan", "dan@example.ch"}));
    REQUIRE(run("carol", CreateOrganization{"acme", "Acme"}));
    REQUIRE(run("carol", AddMember{.org = "acme", .user = "dan", .role = Role::legal_representative}));
  }
};


}  // namespace

TEST_CASE("processor: accepted commands are appended and folded into the readers' state") {
  Running r;
  r.acme();
  const auto members = r.processor->read([](const projections::State& s) { return s.organizations.at("acme").members; });
  CHECK(members.at("carol").role == Role::legal_representative);
  CHECK(members.at("dan").role == Role::legal_representative);
  CHECK(r.processor->read([](const projections::State& s) { return s.position; }) == r.log->head().position);
}

TEST_CASE("D2: a refused command leaves a CommandRejected entry and changes nothing else") {
  Running r;
  r.acme();
  const auto before = r.processor->read([](const projections::State& s) { return s.organizations; });
  auto refused = r.run("dan", RegisterUser{"eve", "eve@example.ch"}, "c-refused");
  REQUIRE_FALSE(refused);
  REQUIRE(refused.error().rejection);
  CHECK(refused.error().rejection->code == Code::forbidden);
  CHECK(refused.error().position == r.log->head().position);
  auto entry = r.log->read(r.log->head().position, 1).value();
  REQUIRE(entry.size() == 1);
  CHECK(entry[0].type_name() == "CommandRejected");
  CHECK(entry[0].stream() == "rejected:user:eve");  // D2: never on the stream acted on
  CHECK(r.log->stream_version("user:eve").value() == 0);
  const auto* rejected = entry[0].envelope().payload_as_CommandRejected();
  CHECK(rejected->code()->str() == "forbidden");
  CHECK(rejected->rule()->str() == "U1");
  CHECK(rejected->command_type()->str() == "RegisterUser");
  CHECK(rejected->actor()->str() == "dan");
  CHECK(r.processor->read([](const projections::State& s) { return s.organizations; }) == before);

  SECTION("the same command id again: the same refusal, marked duplicate, no new entry") {
    const auto head = r.log->head().position;
    auto again = r.run("dan", RegisterUser{"eve", "eve@example.ch"}, "c-refused");
    REQUIRE_FALSE(again);
    CHECK(again.error().duplicate);
    CHECK(again.error().rejection->code == Code::forbidden);
    CHECK(again.error().rejection->rule == "U1");
    CHECK(r.log->head().position == head);
  }
  SECTION("malformed input leaves no entry") {
    const auto head = r.log->head().position;
    auto invalid = r.run("carol", CreateOrganization{"bad id", "X"});
    REQUIRE_FALSE(invalid);
    CHECK(invalid.error().rejection->code == Code::invalid_argument);
    CHECK(invalid.error().position == 0);
    CHECK(r.log->head().position == head);
  }
}

TEST_CASE("processor: stream versions, which the writer takes from the processor's state, hold across restarts") {
  // The ledger's writer asks the processor for each stream's durable version instead of its store
  // (the state folds every event); new streams start at 1, expected versions are enforced, and a
  // restarted processor, rebuilt from the log, answers the same. (The commands carry no id: the
  // ids generated after the restart, at the same clock instant, must not repeat earlier ones.)
  Running r;
  r.acme();  // org:acme: OrganizationCreated, MemberAdded carol, MemberAdded dan
  auto with_expected = [&](Body body, ledger::StreamVersion expected) {
    return r.processor->submit(Command{"carol", "", "", expected, std::move(body)});
  };
  auto added = with_expected(RegisterProduct{"acme", "p-mail", "mail_service", "Mail", {}}, 3);
  REQUIRE(added);
  CHECK(added->stream == "org:acme");
  CHECK(added->stream_version == 4);
  auto created = r.run("carol", CreateOrganization{"beta", "Beta"});
  REQUIRE(created);
  CHECK(created->stream_version == 2);  // a new stream: OrganizationCreated 1, MemberAdded 2

  r.close();
  r.open();
  auto stale = with_expected(RegisterProduct{"acme", "p-drive", "kdrive", "Drive", {}}, 3);
  REQUIRE_FALSE(stale);
  REQUIRE(stale.error().rejection);
  CHECK(stale.error().rejection->code == Code::version_conflict);
  // The refusal's CommandRejected entry (D2) is in rejected:org:acme: org:acme stays at 4.
  CHECK(r.log->read_stream("rejected:org:acme", 1, 100).value().size() == 1);
  auto current = with_expected(RegisterProduct{"acme", "p-drive", "kdrive", "Drive", {}}, 4);
  REQUIRE(current);
  CHECK(current->stream_version == 5);
  CHECK(r.log->read_stream("org:acme", 1, 100).value().size() == 5);
  CHECK(r.log->read_stream("org:beta", 1, 100).value().size() == 2);
}

TEST_CASE("processor: an accepted command repeated returns the first answer") {
  Running r;
  r.acme();
  auto first = r.run("svc:signup", RegisterUser{"eve", "eve@example.ch"}, "reg-eve");
  REQUIRE(first);
  auto again = r.run("svc:signup", RegisterUser{"eve", "eve@example.ch"}, "reg-eve");
  REQUIRE(again);
  CHECK(again->duplicate);
  CHECK(again->position == first->position);
}

TEST_CASE("R3 across one group commit: of two legal representatives leaving together, one stays") {
  TempDir dir;
  ManualClock clock{kSampleInstant};
  GateClock gate;
  auto log = ledger::Ledger::open(dir.path(), {.clock = &gate}).value();
  auto processor = CommandProcessor::start(*log, clock).value();
  for (auto body : std::vector<Body>{RegisterUser{"carol", "c@example.ch"}, RegisterUser{"dan", "d@example.ch"}}) {
    REQUIRE(processor->submit(as("svc:signup", body)));
  }
  REQUIRE(processor->submit(as("carol", CreateOrganization{"acme", "Acme"})));
  REQUIRE(processor->submit(as("carol", AddMember{.org = "acme", .user = "dan", .role = Role::legal_representative})));

  gate.close();
  std::promise<Outcome> blocker, carol_leaves, dan_leaves;
  processor->submit(as("svc:signup", RegisterUser{"eve", "e@example.ch"}), [&](Outcome o) { blocker.set_value(std::move(o)); });
  gate.wait_for_writer();  // both leaves now queue into the next group
  processor->submit(as("carol", LeaveOrganization{"acme"}), [&](Outcome o) { carol_leaves.set_value(std::move(o)); });
  processor->submit(as("dan", LeaveOrganization{"acme"}), [&](Outcome o) { dan_leaves.set_value(std::move(o)); });
  gate.open();
  REQUIRE(blocker.get_future().get());
  auto carol = carol_leaves.get_future().get();
  auto dan = dan_leaves.get_future().get();
  REQUIRE(carol);  // decided first
  REQUIRE_FALSE(dan);
  CHECK(dan.error().rejection->code == Code::last_legal_representative);
  CHECK(dan.error().position == carol->position + 1);  // its D2 entry, in the same group
  const auto members = processor->read([](const projections::State& s) { return s.organizations.at("acme").members; });
  REQUIRE(members.size() == 1);
  CHECK(members.at("dan").role == Role::legal_representative);
}

TEST_CASE("processor: the state is rebuilt from the log on start, exactly") {
  Running r;
  r.acme();
  REQUIRE(r.run("carol", RegisterProduct{"acme", "p-mail", "mail_service", "Mail", {}}));
  REQUIRE(r.run("carol", GrantSupportAccess{"acme", "g1", SupportScope::mail, std::nullopt, "T-1"}));
  REQUIRE(r.run("svc:desk", AssignSupportTicket{"T-1", "agent:zoe"}));
  REQUIRE_FALSE(r.run("dan", RemoveMember{"acme", "nobody"}));
  const auto live = r.processor->read([](const projections::State& s) { return s; });
  r.close();
  r.open();
  CHECK(r.processor->read([](const projections::State& s) { return s; }) == live);
}

TEST_CASE("processor: started while plain appends go on, it misses none of them (state and stream versions)") {
  // start() folds up to the head it read, then attaches to the writer: appends landing between
  // the two are folded when the next group begins (catch_up). Otherwise the rules would not see
  // them, and the versions the writer takes from the processor's state would repeat existing ones.
  for (int round = 0; round < 20; ++round) {
    TempDir dir;
    ManualClock clock{kSampleInstant};
    auto log = ledger::Ledger::open(dir.path(), {.clock = &clock}).value();
    constexpr int kUsers = 40;
    std::atomic<int> refused{0};  // Catch2 assertions are not for other threads
    std::thread appender([&] {
      for (int u = 0; u < kUsers; ++u) {
        ledger::CommandAppend append;
        append.command_id = "plain-" + std::to_string(u);
        append.actor = "svc:signup";
        const std::string user = "u" + std::to_string(u);
        ledger::add_event(append, "user:" + user, testing::clear_user_registered(user, user + "@x.ch"));
        if (!log->append(std::move(append))) ++refused;
      }
    });
    auto processor = CommandProcessor::start(*log, clock).value();
    appender.join();
    REQUIRE(refused == 0);
    // Registering them again is refused (U1: already_exists), each refusal recorded beside the
    // user's stream (D2: rejected:user:<id>), which stays at the registration's version.
    for (int u = 0; u < kUsers; ++u) {
      const std::string user = "u" + std::to_string(u);
      auto again = processor->submit(as("svc:signup", RegisterUser{user, user + "@x.ch"}));
      REQUIRE_FALSE(again);
      REQUIRE(again.error().rejection);
      CHECK(again.error().rejection->code == Code::already_exists);
      CHECK(log->read_stream("user:" + user, 1, 10).value().size() == 1);
      const auto refusals = log->read_stream("rejected:user:" + user, 1, 10).value();
      REQUIRE(refusals.size() == 1);
      CHECK(refusals[0].stream_version() == 1);
    }
    projections::State replayed;
    const auto events = log->read(1, 1000).value();
    for (const auto& event : events) projections::evolve(replayed, event);
    CHECK(processor->read([](const projections::State& s) { return s; }) == replayed);
  }
}

namespace {

bool same_digests(const std::vector<projections::ProjectionDigest>& a, const std::vector<projections::ProjectionDigest>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.name == y.name && x.entities == y.entities && x.digest == y.digest;
  });
}

}  // namespace

TEST_CASE("processor: readers hold versions while groups commit, each staying the log's state at its position") {
  // Issue 15: a query reads one published version, with no lock against the writer. Readers keep
  // versions across many groups; a version must neither change under them nor differ from the
  // log folded to its position.
  Running r;
  r.acme();
  constexpr int kWriters = 6, kCommandsEach = 60, kReaders = 3;
  std::atomic<int> writers_left{kWriters}, refused{0}, changed{0}, went_back{0};
  struct Seen {
    ledger::Position position;
    std::vector<projections::ProjectionDigest> digests;
  };
  std::vector<std::vector<Seen>> seen(kReaders);
  std::vector<std::thread> threads;
  for (int w = 0; w < kWriters; ++w) {
    threads.emplace_back([&, w] {
      for (int i = 0; i < kCommandsEach; ++i) {
        const std::string user = "w" + std::to_string(w) + "-" + std::to_string(i);
        if (!r.run("svc:signup", RegisterUser{user, user + "@x.ch"})) ++refused;
        if (!r.run("carol", AddMember{.org = "acme", .user = user, .role = Role::collaborator})) ++refused;
      }
      --writers_left;
    });
  }
  for (int k = 0; k < kReaders; ++k) {
    threads.emplace_back([&, k] {
      ledger::Position last = 0;
      while (writers_left > 0) {
        const auto version = r.processor->version();
        const auto before = projections::projection_digests(*version);
        std::this_thread::yield();  // groups commit meanwhile
        if (!same_digests(before, projections::projection_digests(*version))) ++changed;
        if (version->position < last) ++went_back;
        last = version->position;
        seen[k].push_back({version->position, before});
      }
    });
  }
  for (auto& thread : threads) thread.join();
  REQUIRE(refused == 0);
  CHECK(changed == 0);
  CHECK(went_back == 0);
  std::size_t compared = 0;
  for (const auto& readings : seen) {
    for (std::size_t i = 0; i < readings.size(); i += std::max<std::size_t>(1, readings.size() / 8)) {
      const auto& reading = readings[i];
      const projections::AsOf at{projections::AsOf::Kind::position, static_cast<std::int64_t>(reading.position)};
      auto folded = projections::fold_as_of(*r.log, at, r.clock.now());
      REQUIRE(folded);
      CHECK(folded->as_of_position == reading.position);  // published at a group's end: whole commands
      CHECK(same_digests(projections::projection_digests(folded->state), reading.digests));
      ++compared;
    }
  }
  CHECK(compared > 0);
  CHECK(r.processor->read([](const projections::State& s) { return s.organizations.at("acme").members.size(); }) ==
        2 + kWriters * kCommandsEach);
}
