// Snapshots (issue 5): snapshot + tail equals a full replay; a corrupt, foreign, unknown-format or
// future snapshot is passed over (and said so) and the state rebuilt from events.
#include <catch2/catch.hpp>

#include <random>

#include "manual_clock.h"
#include "orgledger/commands/processor.h"
#include "orgledger/ledger/snapshot_records.h"
#include "orgledger/projections/as_of.h"
#include "orgledger/projections/evolve.h"
#include "orgledger/projections/snapshot.h"
#include "orgledger/projections/snapshotter.h"
#include "random_commands.h"
#include "seed.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

// The state of the whole log, folded from position 1 with no snapshot.
projections::State full_fold(const ledger::Ledger& log, ledger::Position to) {
  projections::State state;
  const auto events = log.read(1, to).value();
  for (const auto& event : events) projections::evolve(state, event);
  return state;
}


struct History {
  TempDir dir;
  ManualClock clock{kSampleInstant};
  std::unique_ptr<ledger::Ledger> log = ledger::Ledger::open(dir.path(), {.clock = &clock}).value();
  std::unique_ptr<commands::CommandProcessor> processor = commands::CommandProcessor::start(*log, clock).value();

  void random_commands(std::uint64_t seed, int count) {
    RandomCommands random(seed);
    (void)register_random_users(*processor);  // a second call is refused (already registered): fine
    for (int i = 0; i < count; ++i) {
      clock.advance(random.step());
      (void)processor->submit(processor->read([&](const projections::State& state) { return random.next(state); }));
      if (i == count / 2) personal_and_k_commands();
    }
  }
  // G and K entities in the state too: sealed logins and reporters, cases with documents (one
  // completed), orders (one unblocked), forgotten subjects.
  void personal_and_k_commands() {
    using namespace commands;
    auto run = [&](std::string actor, Body body) {
      clock.advance(1'000'000);
      REQUIRE(processor->submit(Command{std::move(actor), "", "", std::nullopt, std::move(body)}));
    };
    run("svc:abuse-desk", FileAbuseReport{.report = "r-snap", .received_at = clock.now(), .category = "spam",
                                          .reporter = {.anonymous = false, .email = "ida@example.org"}});
    for (const char* id : {"k1", "k2"}) {
      run("svc:kcheck", OpenIdentityVerification{id, "u1", IdentityReason::order_review});
      run("u1", SubmitIdentityDocuments{id, {{DocumentKind::passport, PersonalInput("scan")}}});
    }
    run("agent:zoe", CompleteIdentityVerification{"k1", VerificationOutcome::rejected});
    const auto org = processor->read([](const projections::State& state) { return state.organizations.begin()->first; });
    run("svc:billing", BlockOrder{"o1", org, "review"});
    run("svc:billing", BlockOrder{"o2", org, "review"});
    run("agent:zoe", UnblockOrder{"o2"});
    run("svc:privacy", ForgetSubject{"user:u2"});
    run("svc:privacy", ForgetSubject{"abuse:r-snap"});
  }
  void restart(const projections::SnapshotNote& note = {}) {
    processor.reset();
    processor = commands::CommandProcessor::start(*log, clock, projections::BusinessCalendar::geneva(), note).value();
  }
  projections::State live() {
    return processor->read([](const projections::State& state) { return state; });
  }
};

}  // namespace

TEST_CASE("Snapshots: snapshot + tail equals a full replay, for snapshots at random positions") {
  const auto seed = test_seed("snapshots");
  History h;
  h.random_commands(seed, 300);
  const auto head = h.log->head().position;
  std::mt19937_64 random(seed);
  for (int round = 0; round < 4; ++round) {
    const ledger::Position at = 1 + random() % head;
    INFO("snapshot as of " << at << " (seed " << seed << ")");
    auto folded = projections::fold_as_of(
        *h.log, projections::AsOf{projections::AsOf::Kind::position, static_cast<std::int64_t>(at)}, h.clock.now());
    REQUIRE(folded);
    REQUIRE(projections::save_snapshot(*h.log, folded->state));
    // Start-up from the snapshot and the tail gives the state of the whole log.
    h.restart();
    CHECK(h.live() == full_fold(*h.log, head));
    // An as-of question past the snapshot starts from it and gives the same answer as without.
    const ledger::Position later = at + (head - at) / 2;
    auto from_snapshot = projections::fold_as_of(
        *h.log, projections::AsOf{projections::AsOf::Kind::position, static_cast<std::int64_t>(later)}, h.clock.now());
    REQUIRE(from_snapshot);
    CHECK(from_snapshot->state == full_fold(*h.log, from_snapshot->as_of_position));
  }
  CHECK(ledger::SnapshotRecords(*h.log).positions(projections::kStateSnapshot).value().size() <= projections::kSnapshotsKept);
}

TEST_CASE("Snapshots: chunks of any size decode to the same state") {
  History h;
  h.random_commands(7, 100);
  const auto state = h.live();
  for (std::size_t per_chunk : {1, 3, 50, 1'000'000}) {
    INFO(per_chunk << " entities a chunk");
    const auto chunks = projections::encode_snapshot(state, ledger::Hash{}, per_chunk);
    if (per_chunk == 1) CHECK(chunks.size() > 10);
    ledger::Hash hash{};
    auto decoded = projections::decode_snapshot(chunks, hash);
    REQUIRE(decoded);
    CHECK(*decoded == state);
  }
}

TEST_CASE("Snapshots: corrupt, incomplete, unknown-format, other-fold, foreign and future snapshots are passed over and said so") {
  History h;
  h.random_commands(11, 120);
  const auto head = h.log->head().position;
  const auto expected = full_fold(*h.log, head);
  const auto at = head / 2;
  auto middle =
      projections::fold_as_of(
          *h.log, projections::AsOf{projections::AsOf::Kind::position, static_cast<std::int64_t>(at)}, h.clock.now())
          .value();
  const auto event_hash = h.log->read(at, 1).value().front().hash();
  auto good = projections::encode_snapshot(middle.state, event_hash, 20);
  REQUIRE(good.size() > 2);

  auto try_with = [&](std::vector<std::string> chunks, const std::string& expected_note) {
    INFO(expected_note);
    REQUIRE(ledger::SnapshotRecords(*h.log).remove(projections::kStateSnapshot, at));
    REQUIRE(ledger::SnapshotRecords(*h.log).put(projections::kStateSnapshot, at, chunks));
    std::vector<std::string> notes;
    h.restart([&](const std::string& note) { notes.push_back(note); });
    CHECK(h.live() == expected);  // rebuilt from events
    REQUIRE(notes.size() == 1);
    CHECK(notes[0].find("ignored") != std::string::npos);
    CHECK(notes[0].find(expected_note) != std::string::npos);
  };
  auto flipped = good;
  flipped[2][flipped[2].size() / 2] ^= 0x5A;
  flipped[2].resize(flipped[2].size() - 3);
  try_with(flipped, "does not match its hash");  // any altered byte, even one the verifier accepts
  auto incomplete = good;
  incomplete.pop_back();
  try_with(incomplete, "chunks");
  try_with(projections::encode_snapshot(middle.state, ledger::Hash{}, 20), "does not match the log");  // another log's
  auto unknown = good;
  {
    // A header of another format: re-encoded with the format field changed in place.
    auto header = projections::encode_snapshot(middle.state, event_hash, 20).front();
    const std::uint32_t format = projections::kSnapshotFormat;
    auto where = header.find(std::string(reinterpret_cast<const char*>(&format), 4));
    REQUIRE(where != std::string::npos);
    header[where] = 99;
    unknown[0] = header;
  }
  try_with(unknown, "unknown format");
  // Folded by another evolve (a snapshot of a build before a fix of the fold): rebuilt, and said so.
  try_with(projections::encode_snapshot(middle.state, event_hash, 20, projections::kFoldVersion + 1),
           "folded by evolve version " + std::to_string(projections::kFoldVersion + 1));
  try_with(projections::encode_snapshot(middle.state, event_hash, 20, 0), "folded by evolve version 0");
  // The good one is taken, with nothing said.
  REQUIRE(ledger::SnapshotRecords(*h.log).remove(projections::kStateSnapshot, at));
  REQUIRE(ledger::SnapshotRecords(*h.log).put(projections::kStateSnapshot, at, good));
  std::vector<std::string> notes;
  h.restart([&](const std::string& note) { notes.push_back(note); });
  CHECK(notes.empty());
  CHECK(h.live() == expected);
  // A snapshot from the future of this log (a log truncated, or restored from an older backup,
  // behind a store that kept its snapshots): never used, whatever its content.
  REQUIRE(ledger::SnapshotRecords(*h.log).put(projections::kStateSnapshot, head + 50, good));
  const auto loaded = projections::load_snapshot(*h.log, head, {});
  REQUIRE(loaded);
  CHECK(loaded->position == at);  // the good one, not the one past the head
}

TEST_CASE("Snapshotter: a snapshot every N events while commands go on, from the published versions") {
  History h;
  std::vector<std::string> notes;
  {
    projections::Snapshotter snapshotter(*h.log, [&] { return h.processor->version(); }, 50,
                                         [&](const std::string& note) { notes.push_back(note); },
                                         std::chrono::milliseconds(5));
    h.random_commands(5, 200);
    const auto head = h.log->head().position;
    for (int wait = 0; wait < 100; ++wait) {
      auto positions = ledger::SnapshotRecords(*h.log).positions(projections::kStateSnapshot).value();
      if (!positions.empty() && positions.back() + 50 > head) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  }
  for (const auto& note : notes) UNSCOPED_INFO(note);
  CHECK(notes.empty());
  const auto positions = ledger::SnapshotRecords(*h.log).positions(projections::kStateSnapshot).value();
  REQUIRE_FALSE(positions.empty());
  CHECK(positions.size() <= projections::kSnapshotsKept);
  auto loaded = projections::load_snapshot(*h.log, h.log->head().position);
  REQUIRE(loaded);
  CHECK(*loaded == full_fold(*h.log, loaded->position));
}

TEST_CASE("Snapshots: a state past the log's head (a version published just before the head moves) is refused as such, not as corruption") {
  // Found by CI: the Snapshotter saved a version the processor had published a moment before the
  // ledger published its head, and the event at its position was not readable yet ("corrupt").
  History h;
  h.random_commands(3, 20);
  auto ahead = h.processor->read([](const projections::State& state) { return state; });
  ahead.position = h.log->head().position + 1;
  auto saved = projections::save_snapshot(*h.log, ahead);
  REQUIRE_FALSE(saved);
  CHECK(saved.error().code == ledger::ErrorCode::invalid_argument);
  CHECK(ledger::SnapshotRecords(*h.log).positions(projections::kStateSnapshot).value().empty());
  // At the head, the same state is stored.
  ahead.position = h.log->head().position;
  CHECK(projections::save_snapshot(*h.log, ahead));
}
