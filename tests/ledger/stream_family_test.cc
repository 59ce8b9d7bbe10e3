// Ledger::read_stream_family: the events of every stream under a prefix up to a position (the
// abuse reports as of a past point, A1–A7, fold only their own streams). Exactly the family's
// events, in log order; a damaged index is `corrupt`, never a silent gap.
#include <catch2/catch.hpp>

#include "commands.h"
#include "orgledger/ledger/ledger.h"
#include "raw_store.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

std::vector<ledger::Position> positions(const std::vector<ledger::RecordedEvent>& events) {
  std::vector<ledger::Position> out;
  for (const auto& event : events) out.push_back(event.position());
  return out;
}

// Streams whose ids share the family's prefix in part ("abuse", "abusex:", "rejected:abuse:r1")
// among the family's own, interleaved in the log.
void append_mixed_streams(ledger::Ledger& log) {
  int id = 0;
  for (const char* stream : {"abuse:r1", "org:a", "abuse:r2", "abuse:r1", "abuse", "rejected:abuse:r1", "abusex:r3",
                             "abuse:r10", "abuse:r2"}) {
    REQUIRE(log.append(member_added("c" + std::to_string(++id), stream, "u1")));
  }
}

}  // namespace

TEST_CASE("stream family: every event of the streams under a prefix, in log order, up to a position") {
  TempDir dir;
  auto log = ledger::Ledger::open(dir.path()).value();
  append_mixed_streams(*log);

  auto all = log->read_stream_family("abuse:", 100);  // beyond the head: bounded by it
  REQUIRE(all);
  CHECK(positions(*all) == std::vector<ledger::Position>{1, 3, 4, 8, 9});
  CHECK((*all)[2].stream() == "abuse:r1");
  CHECK((*all)[2].stream_version() == 2);
  CHECK((*all)[3].stream() == "abuse:r10");

  CHECK(positions(log->read_stream_family("abuse:", 4).value()) == std::vector<ledger::Position>{1, 3, 4});
  CHECK(positions(log->read_stream_family("abuse:", 3).value()) == std::vector<ledger::Position>{1, 3});
  CHECK(log->read_stream_family("abuse:", 0).value().empty());
  CHECK(log->read_stream_family("kcheck:", 100).value().empty());
  CHECK(positions(log->read_stream_family("abuse:r1", 100).value()) == std::vector<ledger::Position>{1, 4, 8});

  // After a position (a family snapshot's): only the events in (after, until].
  CHECK(positions(log->read_stream_family("abuse:", 100, 3).value()) == std::vector<ledger::Position>{4, 8, 9});
  CHECK(positions(log->read_stream_family("abuse:", 8, 1).value()) == std::vector<ledger::Position>{3, 4, 8});
  CHECK(log->read_stream_family("abuse:", 8, 8).value().empty());
  CHECK(log->read_stream_family("abuse:", 3, 9).value().empty());

  auto empty_prefix = log->read_stream_family("", 100);
  REQUIRE_FALSE(empty_prefix);
  CHECK(empty_prefix.error().code == ledger::ErrorCode::invalid_argument);
}

TEST_CASE("stream family: a damaged streams index is corrupt, never a silent gap") {
  TempDir dir;
  {
    auto log = ledger::Ledger::open(dir.path()).value();
    append_mixed_streams(*log);
  }
  SECTION("a stream's first version missing") {
    RawStore(dir.path()).delete_stream_entry("abuse:r2", 1);
    auto log = ledger::Ledger::open(dir.path()).value();
    auto read = log->read_stream_family("abuse:", 100);
    REQUIRE_FALSE(read);
    CHECK(read.error().code == ledger::ErrorCode::corrupt);
    CHECK(read.error().message.find("abuse:r2 misses version 1") != std::string::npos);
    // Up to a point before the gap's stream began, nothing of it is read: still refused, since the
    // index itself is damaged.
    CHECK_FALSE(log->read_stream_family("abuse:", 1));
    // Nor after a position past the gap: the versions before it are still checked.
    CHECK_FALSE(log->read_stream_family("abuse:", 100, 9));
  }
  SECTION("an entry pointing at another stream's event") {
    RawStore(dir.path()).put_stream_entry("abuse:r2", 1, 2);
    auto log = ledger::Ledger::open(dir.path()).value();
    auto read = log->read_stream_family("abuse:", 100);
    REQUIRE_FALSE(read);
    CHECK(read.error().code == ledger::ErrorCode::corrupt);
    CHECK(read.error().position == 2);
  }
}
