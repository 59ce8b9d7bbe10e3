// Snapshots of a family of streams (projections/family_snapshots.h, issue 15): every abuse report
// as of a past point from the nearest family snapshot plus the family's events after it. The
// answer must be the fold of the family from its first event, whatever snapshots exist, and a
// store without them (one from an earlier build) gets them from its own log.
#include <catch2/catch.hpp>

#include <chrono>
#include <random>
#include <thread>

#include "manual_clock.h"
#include "orgledger/commands/processor.h"
#include "orgledger/ledger/snapshot_records.h"
#include "orgledger/projections/evolve.h"
#include "orgledger/projections/family_snapshots.h"
#include "orgledger/projections/snapshot.h"
#include "orgledger/projections/snapshotter.h"
#include "random_commands.h"
#include "seed.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

constexpr std::string_view kReports = "abuse:";

// A history where one command in three is a desk's (abuse reports through every stage, K cases,
// orders), with a reporter filed by name and forgotten (G2) half-way.
struct DeskHistory {
  TempDir dir;
  ManualClock clock{kSampleInstant};
  std::unique_ptr<ledger::Ledger> log = ledger::Ledger::open(dir.path(), {.clock = &clock}).value();
  std::unique_ptr<commands::CommandProcessor> processor = commands::CommandProcessor::start(*log, clock).value();

  void commands(std::uint64_t seed, int count) {
    RandomCommands random(seed);
    std::mt19937_64 desk(seed);
    (void)register_random_users(*processor);  // a second call is refused (already registered): fine
    for (int i = 0; i < count; ++i) {
      clock.advance(random.step());
      (void)processor->submit(processor->read([&](const projections::State& state) {
        return desk() % 3 == 0 ? random_desk_command(desk, state) : random.next(state);
      }));
      if (i == count / 2) forgotten_reporter();
    }
  }
  void forgotten_reporter() {
    using namespace commands;
    const std::string report = named_reports++ == 0 ? "r-named" : "r-named-" + std::to_string(named_reports);
    REQUIRE(processor->submit(Command{"svc:abuse-desk", "", "", std::nullopt,
                                      FileAbuseReport{.report = report, .received_at = clock.now(), .category = "spam",
                                                      .reporter = {.anonymous = false, .email = "ida@example.org"}}}));
    REQUIRE(processor->submit(Command{"svc:privacy", "", "", std::nullopt, ForgetSubject{"abuse:" + report}}));
  }
  int named_reports = 0;
};

// The family's fold from its first event, with no snapshot.
projections::State fold_from_first(const ledger::Ledger& log, ledger::Position cut) {
  projections::State state;
  const auto events = log.read_stream_family(kReports, cut).value();  // named: .value() of a temporary dangles
  for (const auto& event : events) projections::evolve(state, event);
  return state;
}

void require_same_family(const projections::State& got, const projections::State& expected) {
  REQUIRE(got.reports == expected.reports);
  REQUIRE(got.shredded == expected.shredded);
  REQUIRE(got.stream_versions == expected.stream_versions);
  REQUIRE(got.users.empty());  // the family's streams say nothing of anything else
  REQUIRE(got.organizations.empty());
}

// Where the snapshots must be, read off the log independently: the first command's end at or
// after each multiple of `every`, counted from the last snapshot.
std::vector<ledger::Position> due_positions(const ledger::Ledger& log, ledger::Position every) {
  std::vector<ledger::Position> due;
  ledger::Position next = every;
  const auto events = log.read(1, log.head().position).value();
  for (const auto& event : events) {
    if (event.position() >= next && event.ends_command()) {
      due.push_back(event.position());
      next = (event.position() / every + 1) * every;
    }
  }
  return due;
}

// Stores every family snapshot due, as a caller catching up does: until the position to wait for
// lies past the head.
void catch_up(ledger::Ledger& log, const projections::StreamFamily& family) {
  for (;;) {
    const auto due = projections::store_due_family_snapshot(log, family, ledger::SnapshotPace::at_once);
    REQUIRE(due);
    if (*due > log.head().position) return;
  }
}

std::vector<ledger::Position> family_snapshots(const ledger::Ledger& log) {
  return ledger::SnapshotRecords(log).positions(projections::family_snapshot_name(kReports)).value();
}

std::vector<ledger::Position> command_ends(const ledger::Ledger& log) {
  std::vector<ledger::Position> ends;
  const auto events = log.read(1, log.head().position).value();
  for (const auto& event : events) {
    if (event.ends_command()) ends.push_back(event.position());
  }
  return ends;
}

}  // namespace

TEST_CASE("Family snapshots: as of every command's end, the nearest one plus the tail is the family's whole fold") {
  const auto seed = test_seed("family-snapshots");
  INFO("seed " << seed);
  DeskHistory h;
  h.commands(seed, 300);
  const projections::StreamFamily family{.prefix = std::string(kReports), .every = 25};
  catch_up(*h.log, family);
  const auto positions = family_snapshots(*h.log);
  REQUIRE(positions == due_positions(*h.log, family.every));
  REQUIRE(positions.size() >= 10);
  catch_up(*h.log, family);
  REQUIRE(family_snapshots(*h.log) == positions);  // nothing more is due until the log moves on

  bool forgotten_in_a_snapshot = false;
  for (const ledger::Position cut : command_ends(*h.log)) {
    INFO("as of position " << cut);
    auto folded = projections::fold_family(*h.log, kReports, cut);
    REQUIRE(folded);
    const auto expected = fold_from_first(*h.log, cut);
    require_same_family(*folded, expected);
    const bool at_a_snapshot = std::find(positions.begin(), positions.end(), cut) != positions.end();
    if (at_a_snapshot) {
      REQUIRE(folded->position == cut);  // the snapshot itself, no tail
      if (expected.shredded.contains("abuse:r-named")) forgotten_in_a_snapshot = true;
    }
  }
  CHECK(forgotten_in_a_snapshot);  // G2 in a family snapshot: the report stays, its reporter does not
}

TEST_CASE("Family snapshots: a damaged one is passed over for the one before it, and the answer stays whole") {
  DeskHistory h;
  h.commands(test_seed("family-snapshots-damaged"), 200);
  const projections::StreamFamily family{.prefix = std::string(kReports), .every = 30};
  catch_up(*h.log, family);
  const auto positions = family_snapshots(*h.log);
  REQUIRE(positions.size() >= 3);
  const ledger::Position damaged = positions[positions.size() - 2];
  const std::string name = projections::family_snapshot_name(kReports);
  ledger::SnapshotRecords records(*h.log);
  auto chunks = records.read(name, damaged).value();
  REQUIRE(chunks.size() >= 2);
  chunks.back()[chunks.back().size() / 2] ^= 0x01;  // one bit of the data
  REQUIRE(records.put(name, damaged, chunks, ledger::SnapshotPace::at_once));

  // Passed over, and said so, for the one before it.
  std::vector<std::string> notes;
  const auto loaded = projections::load_snapshot(*h.log, damaged, [&](const std::string& note) { notes.push_back(note); },
                                                 std::nullopt, projections::SnapshotSeries{name, 0});
  REQUIRE(loaded);
  CHECK(loaded->position == positions[positions.size() - 3]);
  REQUIRE(notes.size() == 1);
  CHECK(notes[0].find("snapshot at position " + std::to_string(damaged) + " ignored") == 0);
  // The answer from the one before it and the tail is the same.
  auto folded = projections::fold_family(*h.log, kReports, damaged);
  REQUIRE(folded);
  require_same_family(*folded, fold_from_first(*h.log, damaged));
  // The next one, built on an intact predecessor, is still read.
  auto later = projections::fold_family(*h.log, kReports, positions.back());
  REQUIRE(later);
  require_same_family(*later, fold_from_first(*h.log, positions.back()));
  CHECK(later->position == positions.back());
}

TEST_CASE("Family snapshots: a store without any gets them from its log, one at a time, then they follow the log") {
  DeskHistory h;
  h.commands(test_seed("family-snapshots-catch-up"), 200);  // as an earlier build left it: no family snapshot
  REQUIRE(family_snapshots(*h.log).empty());
  const projections::StreamFamily family{.prefix = std::string(kReports), .every = 20};
  std::vector<std::string> notes;
  std::mutex notes_mutex;
  auto wait_for = [&](std::size_t count) {
    for (int i = 0; i < 1000 && family_snapshots(*h.log).size() < count; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return family_snapshots(*h.log).size();
  };
  {
    projections::Snapshotter snapshotter(
        *h.log, [&] { return h.processor->version(); }, /*every=*/1'000'000,
        [&](const std::string& note) {
          std::lock_guard lock(notes_mutex);
          notes.push_back(note);
        },
        std::chrono::milliseconds(5), {family});
    const auto due = due_positions(*h.log, family.every);
    REQUIRE(due.size() >= 5);
    REQUIRE(wait_for(due.size()) == due.size());
    REQUIRE(family_snapshots(*h.log) == due);

    h.commands(test_seed("family-snapshots-catch-up") + 1, 60);  // the log moves on while it runs
    const auto more = due_positions(*h.log, family.every);
    REQUIRE(more.size() > due.size());
    REQUIRE(wait_for(more.size()) == more.size());
    REQUIRE(family_snapshots(*h.log) == more);
  }
  std::lock_guard lock(notes_mutex);
  CHECK(notes.empty());
  auto folded = projections::fold_family(*h.log, kReports, h.log->head().position);
  REQUIRE(folded);
  require_same_family(*folded, fold_from_first(*h.log, h.log->head().position));
}

TEST_CASE("Family snapshots: a family needs a prefix and a spacing, and none is due before the first multiple") {
  DeskHistory h;
  h.commands(test_seed("family-snapshots-edges"), 20);
  const auto head = h.log->head().position;
  auto no_prefix = projections::store_due_family_snapshot(*h.log, {.prefix = "", .every = 10});
  REQUIRE_FALSE(no_prefix);
  CHECK(no_prefix.error().code == ledger::ErrorCode::invalid_argument);
  auto no_spacing = projections::store_due_family_snapshot(*h.log, {.prefix = "abuse:", .every = 0});
  REQUIRE_FALSE(no_spacing);
  CHECK(no_spacing.error().code == ledger::ErrorCode::invalid_argument);
  auto not_yet = projections::store_due_family_snapshot(*h.log, {.prefix = "abuse:", .every = head + 5});
  REQUIRE(not_yet);
  CHECK(*not_yet == head + 5);
  CHECK(family_snapshots(*h.log).empty());
}
