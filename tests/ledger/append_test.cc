// Appending and reading: positions, stream versions, atomic commands, expected versions, the
// clock, bad input (D1).
#include <catch2/catch.hpp>

#include "commands.h"
#include "manual_clock.h"
#include "orgledger/ledger/ledger.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

std::unique_ptr<ledger::Ledger> open_ledger(const std::string& dir, const ledger::Clock* clock = nullptr) {
  auto opened = ledger::Ledger::open(dir, {.clock = clock});
  REQUIRE(opened.has_value());
  return std::move(*opened);
}

}  // namespace

TEST_CASE("D1: positions are gapless from 1 and stream versions dense per stream") {
  TempDir dir;
  auto log = open_ledger(dir.path());
  CHECK(log->head().position == 0);
  auto a = log->append(member_added("c1", "org:a", "u1"));
  auto b = log->append(member_added("c2", "org:b", "u1"));
  auto c = log->append(member_added("c3", "org:a", "u2"));
  REQUIRE(a);
  REQUIRE(b);
  REQUIRE(c);
  CHECK(a->position == 1);
  CHECK(b->position == 2);
  CHECK(c->position == 3);
  CHECK(a->stream_version == 1);
  CHECK(b->stream_version == 1);
  CHECK(c->stream_version == 2);
  CHECK(c->stream == "org:a");
  CHECK_FALSE(c->duplicate);
  CHECK(log->head().position == 3);

  auto events = log->read(1, 10);
  REQUIRE(events);
  REQUIRE(events->size() == 3);
  CHECK((*events)[2].stream() == "org:a");
  CHECK((*events)[2].stream_version() == 2);
  CHECK((*events)[2].command_id() == "c3");
  CHECK((*events)[2].prev_hash() == (*events)[1].hash());

  auto stream = log->read_stream("org:a", 1, 10);
  REQUIRE(stream);
  REQUIRE(stream->size() == 2);
  CHECK((*stream)[0].position() == 1);
  CHECK((*stream)[1].position() == 3);
  CHECK(log->stream_version("org:a").value() == 2);
  CHECK(log->stream_version("org:none").value() == 0);
  CHECK(log->read_stream("org:a", 2, 10).value().size() == 1);
  CHECK(log->read(4, 10).value().empty());
  CHECK(log->read(2, 1).value().size() == 1);
}

TEST_CASE("D1: the events of one command are appended together, named by the last position") {
  TempDir dir;
  auto log = open_ledger(dir.path());
  auto cmd = command("create-acme", "carol");
  ledger::add_event(cmd, "org:acme", schema::OrganizationCreatedT{.org = "acme", .name = "Acme"});
  ledger::add_event(cmd, "org:acme",
                    schema::MemberAddedT{.org = "acme", .user = "carol", .role = schema::Role::legal_representative});
  ledger::add_event(cmd, "user:carol", schema::NotificationQueuedT{.org = "acme", .user = "carol", .kind = "k"});
  auto answer = log->append(std::move(cmd));
  REQUIRE(answer);
  CHECK(answer->position == 3);
  CHECK(answer->stream == "org:acme");
  CHECK(answer->stream_version == 2);
  REQUIRE(answer->events.size() == 3);
  CHECK(ledger::event_type_name(answer->events[1].type) == "MemberAdded");
  auto events = log->read(1, 3).value();
  for (std::uint16_t i = 0; i < 3; ++i) {
    CHECK(events[i].command_event_index() == i);
    CHECK(events[i].command_event_count() == 3);
    CHECK(events[i].ends_command() == (i == 2));
    CHECK(events[i].recorded_at() == events[0].recorded_at());
  }
}

TEST_CASE("expected version: the command applies only at exactly that version") {
  TempDir dir;
  auto log = open_ledger(dir.path());
  auto first = member_added("c1", "org:a", "u1");
  first.expected = ledger::ExpectedVersion{"org:a", 0};  // the stream must not exist yet
  REQUIRE(log->append(std::move(first)));

  auto stale = member_added("c2", "org:a", "u2");
  stale.expected = ledger::ExpectedVersion{"org:a", 0};
  auto conflict = log->append(std::move(stale));
  REQUIRE_FALSE(conflict);
  CHECK(conflict.error().code == ledger::ErrorCode::version_conflict);
  CHECK(log->head().position == 1);  // nothing appended

  auto current = member_added("c3", "org:a", "u2");
  current.expected = ledger::ExpectedVersion{"org:a", 1};
  auto ok = log->append(std::move(current));
  REQUIRE(ok);
  CHECK(ok->stream_version == 2);

  SECTION("the stream named by the expectation is the answer's stream") {
    auto other = member_added("c4", "org:b", "u1");
    other.expected = ledger::ExpectedVersion{"org:a", 2};
    auto answer = log->append(std::move(other));
    REQUIRE(answer);
    CHECK(answer->stream == "org:a");
    CHECK(answer->stream_version == 2);
  }
}

TEST_CASE("stream versions survive reopening: streams whose ids prefix one another, and streams never written") {
  // The streams index keeps Bloom filters per stream id (memtable and table files): a reopened
  // store answers from its table files, where "org:a" must not be taken for "org:ab" or the
  // reverse, and a stream never written is at version 0.
  TempDir dir;
  {
    auto log = open_ledger(dir.path());
    REQUIRE(log->append(member_added("c1", "org:a", "u1")));
    REQUIRE(log->append(member_added("c2", "org:ab", "u1")));
    REQUIRE(log->append(member_added("c3", "org:ab", "u2")));
    REQUIRE(log->append(member_added("c4", "org:a", "u2")));
    REQUIRE(log->append(member_added("c5", "org:a", "u3")));
  }  // closing flushes the memtables into table files
  auto log = open_ledger(dir.path());
  CHECK(log->stream_version("org:a").value() == 3);
  CHECK(log->stream_version("org:ab").value() == 2);
  CHECK(log->stream_version("org:").value() == 0);
  CHECK(log->stream_version("org:abc").value() == 0);
  CHECK(log->read_stream("org:a", 1, 10).value().size() == 3);
  CHECK(log->read_stream("org:ab", 1, 10).value().size() == 2);

  auto next = member_added("c6", "org:ab", "u3");
  next.expected = ledger::ExpectedVersion{"org:ab", 2};
  auto appended = log->append(std::move(next));
  REQUIRE(appended);
  CHECK(appended->stream_version == 3);
  auto fresh = member_added("c7", "org:abc", "u1");
  fresh.expected = ledger::ExpectedVersion{"org:abc", 0};
  REQUIRE(log->append(std::move(fresh)));
  auto stale = member_added("c8", "org:a", "u4");
  stale.expected = ledger::ExpectedVersion{"org:a", 2};
  auto conflict = log->append(std::move(stale));
  REQUIRE_FALSE(conflict);
  CHECK(conflict.error().code == ledger::ErrorCode::version_conflict);
}

TEST_CASE("a malformed append is refused with invalid_argument and changes nothing") {
  TempDir dir;
  auto log = open_ledger(dir.path());
  auto no_id = member_added("", "org:a", "u1");
  CHECK(log->append(std::move(no_id)).error().code == ledger::ErrorCode::invalid_argument);
  auto no_actor = member_added("c1", "org:a", "u1");
  no_actor.actor.clear();
  CHECK(log->append(std::move(no_actor)).error().code == ledger::ErrorCode::invalid_argument);
  CHECK(log->append(command("empty")).error().code == ledger::ErrorCode::invalid_argument);

  auto garbage = command("c2");
  garbage.events.push_back({"org:a", "not a flatbuffer at all"});
  CHECK(log->append(std::move(garbage)).error().code == ledger::ErrorCode::invalid_argument);

  auto other_command = member_added("c3", "org:a", "u1");
  other_command.command_id = "c4";  // the draft was encoded for c3
  CHECK(log->append(std::move(other_command)).error().code == ledger::ErrorCode::invalid_argument);

  auto stream_mismatch = member_added("c5", "org:a", "u1");
  stream_mismatch.events[0].stream = "org:b";
  CHECK(log->append(std::move(stream_mismatch)).error().code == ledger::ErrorCode::invalid_argument);

  CHECK(log->head().position == 0);
  CHECK(log->find_command("c3").value() == std::nullopt);
}

TEST_CASE("recorded_at comes from the clock and never goes backwards") {
  TempDir dir;
  ManualClock clock(kSampleInstant);
  {
    auto log = open_ledger(dir.path(), &clock);
    REQUIRE(log->append(member_added("c1", "org:a", "u1")));
    clock.set(kSampleInstant - 5'000'000);  // the clock steps back 5 s
    REQUIRE(log->append(member_added("c2", "org:a", "u1")));
    auto events = log->read(1, 2).value();
    CHECK(events[0].recorded_at() == kSampleInstant);
    CHECK(events[1].recorded_at() == kSampleInstant);
  }
  // Also across a restart: the clamp starts from the last recorded event.
  auto log = open_ledger(dir.path(), &clock);
  REQUIRE(log->append(member_added("c3", "org:a", "u1")));
  CHECK(log->read(3, 1).value()[0].recorded_at() == kSampleInstant);
  clock.set(kSampleInstant + 7);
  REQUIRE(log->append(member_added("c4", "org:a", "u1")));
  CHECK(log->read(4, 1).value()[0].recorded_at() == kSampleInstant + 7);
}

TEST_CASE("the log survives closing and reopening, and appends continue the chain") {
  TempDir dir;
  ledger::Hash head_hash{};
  {
    auto log = open_ledger(dir.path());
    REQUIRE(log->append(member_added("c1", "org:a", "u1")));
    REQUIRE(log->append(member_added("c2", "org:a", "u2")));
    head_hash = log->head().hash;
  }
  auto log = open_ledger(dir.path());
  CHECK(log->head().position == 2);
  CHECK(log->head().hash == head_hash);
  auto answer = log->append(member_added("c3", "org:a", "u3"));
  REQUIRE(answer);
  CHECK(answer->position == 3);
  CHECK(answer->stream_version == 3);
  CHECK(log->read(3, 1).value()[0].prev_hash() == head_hash);
}

TEST_CASE("a read-only ledger reads and refuses appends - a missing one is not_found") {
  TempDir dir;
  { REQUIRE(open_ledger(dir.path())->append(member_added("c1", "org:a", "u1"))); }
  auto opened = ledger::Ledger::open(dir.path(), {.mode = ledger::OpenMode::read_only});
  REQUIRE(opened);
  CHECK((*opened)->read(1, 5).value().size() == 1);
  CHECK((*opened)->append(member_added("c2", "org:a", "u1")).error().code == ledger::ErrorCode::read_only);

  auto missing = ledger::Ledger::open(dir.sub("nothing-here"), {.mode = ledger::OpenMode::read_only});
  REQUIRE_FALSE(missing);
  CHECK(missing.error().code == ledger::ErrorCode::not_found);
}

TEST_CASE("only one process-wide writer: a second read-write open of the same directory fails") {
  TempDir dir;
  auto log = open_ledger(dir.path());
  auto second = ledger::Ledger::open(dir.path());
  REQUIRE_FALSE(second);
  CHECK(second.error().code == ledger::ErrorCode::io_error);
}
