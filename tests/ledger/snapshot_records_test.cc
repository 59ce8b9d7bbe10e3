// SnapshotRecords (ledger/snapshot_records.h): named snapshots in chunks. Each chunk is stored as a
// table block of its own. So listing a name's snapshots, or reading a header, never decompresses
// another chunk. With 4 KiB blocks the small header shared a block with the next chunk: ~45 ms a
// snapshot on the 10 M-event log, most of an abuse-reports question as of a past point.
#include <catch2/catch.hpp>

#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/snapshot_records.h"
#include "raw_store.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

TEST_CASE("snapshot records: one block per chunk, names kept apart, replaced whole") {
  TempDir dir;
  const std::vector<std::string> first{"header of 5", std::string(300 << 10, 'a'), std::string(200 << 10, 'b')};
  const std::vector<std::string> other{"header of 7", std::string(100 << 10, 'c')};
  const std::vector<std::string> later{"header of 9", std::string(50 << 10, 'd'), std::string(10, 'e')};
  {
    auto log = ledger::Ledger::open(dir.path()).value();
    ledger::SnapshotRecords records(*log);
    REQUIRE(records.put("family:abuse:", 5, first, ledger::SnapshotPace::at_once));
    REQUIRE(records.put("state", 7, other, ledger::SnapshotPace::at_once));
    REQUIRE(records.put("family:abuse:", 9, later, ledger::SnapshotPace::at_once));
    // A name that extends another is another name.
    REQUIRE(records.put("family:abuse:x", 3, other, ledger::SnapshotPace::at_once));

    CHECK(records.positions("family:abuse:").value() == std::vector<ledger::Position>{5, 9});
    CHECK(records.positions("family:abuse:x").value() == std::vector<ledger::Position>{3});
    CHECK(records.positions("state").value() == std::vector<ledger::Position>{7});
    CHECK(records.positions("family:").value().empty());
    CHECK(records.read("family:abuse:", 5).value() == first);
    CHECK(records.read("family:abuse:", 9).value() == later);
    CHECK(records.read("family:abuse:", 6).value().empty());

    // Replaced whole: no chunk of the old one stays.
    REQUIRE(records.put("family:abuse:", 5, {"header again"}, ledger::SnapshotPace::at_once));
    CHECK(records.read("family:abuse:", 5).value() == std::vector<std::string>{"header again"});
    REQUIRE(records.remove("family:abuse:", 9));
    CHECK(records.positions("family:abuse:").value() == std::vector<ledger::Position>{5});
  }
  // 1 (the replaced 5) + 2 (state 7) + 2 (x 3): a block per chunk, none shared.
  CHECK(RawStore(dir.path()).snapshot_data_blocks() == 5);
}
