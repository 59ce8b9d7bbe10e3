// Integrity: any altered byte, and any missing event, is found by verify — at exactly its position.
#include <catch2/catch.hpp>

#include "commands.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/verify.h"
#include "raw_store.h"
#include "seed.h"
#include "temp_dir.h"
#include "verified.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

constexpr std::uint64_t kEvents = 100;

void write_log(const std::string& dir) {
  auto log = ledger::Ledger::open(dir).value();
  for (std::uint64_t i = 1; i <= kEvents; ++i) {
    REQUIRE(log->append(member_added("c" + std::to_string(i), "org:o" + std::to_string(i % 7), "u" + std::to_string(i))));
  }
}

}  // namespace

TEST_CASE("verify: an intact log passes") {
  TempDir dir;
  write_log(dir.path());
  const auto report = verify(dir.path());
  CHECK(report.ok);
  CHECK(report.checked == kEvents);
  CHECK(report.head.position == kEvents);
  CHECK_FALSE(report.first_bad_position);
}

TEST_CASE("verify: an empty log passes, a missing one is not_found") {
  TempDir dir;
  { auto log = ledger::Ledger::open(dir.path()).value(); }
  CHECK(verify(dir.path()).ok);
  CHECK(verify(dir.path()).checked == 0);
  CHECK(ledger::verify_ledger(dir.sub("absent")).error().code == ledger::ErrorCode::not_found);
}

TEST_CASE("verify: one flipped bit anywhere in a stored value names exactly that position") {
  std::mt19937_64 random(test_seed("tamper-bit-flip"));
  TempDir dir;
  write_log(dir.path());
  std::uint64_t tampered_size = 0;
  { tampered_size = RawStore(dir.path()).get_event(57).size(); }
  // The stored hash, the prev_hash inside the envelope, the payload, the FlatBuffers offsets:
  // every region of the value, a few random bits each run.
  for (int round = 0; round < 12; ++round) {
    const std::size_t byte = round == 0 ? 0 : round == 1 ? tampered_size - 1 : random() % tampered_size;
    const int bit = static_cast<int>(random() % 8);
    INFO("byte " << byte << " bit " << bit);
    RawStore(dir.path()).flip_bit(57, byte, bit);
    const auto report = verify(dir.path());
    CHECK_FALSE(report.ok);
    CHECK(report.first_bad_position == 57);
    CHECK(report.checked == 56);
    RawStore(dir.path()).flip_bit(57, byte, bit);  // restore
    CHECK(verify(dir.path()).ok);
  }
}

TEST_CASE("verify: a deleted event names exactly its position") {
  TempDir dir;
  write_log(dir.path());
  SECTION("in the middle") {
    RawStore(dir.path()).delete_event(42);
    CHECK(verify(dir.path()).first_bad_position == 42);
  }
  SECTION("the first") {
    RawStore(dir.path()).delete_event(1);
    CHECK(verify(dir.path()).first_bad_position == 1);
  }
  SECTION("the last (the recorded head still names it)") {
    RawStore(dir.path()).delete_event(kEvents);
    CHECK(verify(dir.path()).first_bad_position == kEvents);
  }
}

TEST_CASE("verify: an event moved to another position, or appended behind the head, is found there") {
  TempDir dir;
  write_log(dir.path());
  SECTION("a valid event stored under another position") {
    {
      RawStore raw(dir.path());
      raw.put_event(30, raw.get_event(31));  // well-formed, but names position 31
    }
    const auto report = verify(dir.path());
    CHECK(report.first_bad_position == 30);
    CHECK(report.checked == 29);
  }
  SECTION("an extra event behind the recorded head") {
    {
      RawStore raw(dir.path());
      raw.put_event(kEvents + 1, raw.get_event(kEvents));
    }
    const auto report = verify(dir.path());
    CHECK(report.first_bad_position == kEvents + 1);
    CHECK(report.checked == kEvents);  // the intact events, not the intruder
  }
}

TEST_CASE("verify never repairs or marks anything: the store is byte-identical afterwards") {
  TempDir dir;
  write_log(dir.path());
  RawStore(dir.path()).flip_bit(10, 40, 3);
  std::string before;
  { before = RawStore(dir.path()).get_event(10); }
  CHECK(verify(dir.path()).first_bad_position == 10);
  CHECK(verify(dir.path()).first_bad_position == 10);
  CHECK(RawStore(dir.path()).get_event(10) == before);
}

TEST_CASE("reads verify what they return: a damaged event is an error naming it, never a crash") {
  TempDir dir;
  write_log(dir.path());
  RawStore(dir.path()).flip_bit(20, 40, 0);
  RawStore(dir.path()).put_event(21, "short");
  RawStore(dir.path()).delete_event(22);
  auto log = ledger::Ledger::open(dir.path(), {.mode = ledger::OpenMode::read_only}).value();
  // A bit flip inside a string may keep the buffer well-formed: reads check structure, verify
  // checks hashes. Garbage and gaps are always refused by the read itself.
  auto short_value = log->read(21, 1);
  REQUIRE_FALSE(short_value);
  CHECK(short_value.error().code == ledger::ErrorCode::corrupt);
  CHECK(short_value.error().position == 21);
  auto gap = log->read(22, 5);
  REQUIRE_FALSE(gap);
  CHECK(gap.error().position == 22);
  CHECK(log->read(23, 5).value().size() == 5);
}

TEST_CASE("opening for writing re-verifies the tail and refuses to chain onto damage") {
  TempDir dir;
  write_log(dir.path());
  std::uint64_t expected = 0;
  SECTION("a flipped bit in the last event's stored hash") {
    RawStore(dir.path()).flip_bit(kEvents, 5, 1);
    expected = kEvents;
  }
  SECTION("a flipped bit inside an envelope in the middle of the re-verified tail") {
    RawStore raw(dir.path());
    raw.flip_bit(60, raw.get_event(60).size() - 20, 3);
    expected = 60;
  }
  SECTION("an event deleted in the middle of the tail") {
    RawStore(dir.path()).delete_event(70);
    expected = 70;
  }
  SECTION("the last event deleted") {
    RawStore(dir.path()).delete_event(kEvents);
    expected = kEvents;
  }
  SECTION("an event behind the head") {
    RawStore raw(dir.path());
    raw.put_event(kEvents + 1, raw.get_event(kEvents));
    expected = kEvents + 1;
  }
  auto opened = ledger::Ledger::open(dir.path());
  REQUIRE_FALSE(opened);
  CHECK(opened.error().code == ledger::ErrorCode::corrupt);
  CHECK(opened.error().position == expected);
}
