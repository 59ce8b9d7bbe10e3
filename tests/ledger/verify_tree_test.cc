// verify checks the Merkle tree too (issue 14): every stored node is rebuilt from the events and
// compared, so an altered or missing node is found and named by the first leaf under it; and the
// root at a checkpoint's size is computed from the events alone.
#include <catch2/catch.hpp>

#include "commands.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/verify.h"
#include "raw_store.h"
#include "temp_dir.h"
#include "verified.h"

using namespace orgledger;
using orgledger::testing::verify;

namespace {

void make_log(const std::string& directory, int events) {
  auto log = ledger::Ledger::open(directory);
  REQUIRE(log);
  for (int i = 0; i < events; ++i) {
    REQUIRE((*log)->append(testing::member_added("c" + std::to_string(i), "org:o" + std::to_string(i % 4), "u" + std::to_string(i))));
  }
}

}  // namespace

TEST_CASE("verify: the stored tree is rebuilt from the events, and the root at any size computed from them", "[tree]") {
  testing::TempDir dir;
  const auto data = dir.sub("data");
  make_log(data, 37);
  for (std::uint64_t size : {1, 2, 20, 32, 37}) {
    const auto report = verify(data, {.root_at = size});
    CHECK(report.ok);
    CHECK(report.tree_leaves_checked == 37);
    CHECK_FALSE(report.first_bad_leaf);
    auto log = ledger::Ledger::open(data, {.mode = ledger::OpenMode::read_only});
    REQUIRE(log);
    REQUIRE(report.root_at);
    CHECK(*report.root_at == *(*log)->tree_root(size));
  }
  CHECK_FALSE(verify(data, {.root_at = 38}).root_at);
}

TEST_CASE("verify: an altered or missing tree node is found, naming the first leaf under it, the chain being intact", "[tree]") {
  testing::TempDir dir;
  const auto data = dir.sub("data");
  make_log(data, 37);
  struct Damage {
    unsigned level;
    std::uint64_t index;
    bool remove;
  };
  // Level 0 is not stored: a leaf's hash is its event's, which the chain covers.
  const auto damage = GENERATE(Damage{2, 3, false}, Damage{1, 8, false}, Damage{5, 0, false}, Damage{1, 8, true},
                               Damage{3, 3, true}, Damage{1, 17, false});
  {
    testing::RawStore raw(data);
    if (damage.remove) {
      raw.delete_tree_node(damage.level, damage.index);
    } else {
      auto node = raw.get_tree_node(damage.level, damage.index);
      node[7] ^= 0x10;
      raw.put_tree_node(damage.level, damage.index, node);
    }
  }
  const auto report = verify(data);
  CHECK_FALSE(report.ok);
  CHECK_FALSE(report.first_bad_position);  // the chain holds: only the tree is wrong
  REQUIRE(report.first_bad_leaf);
  CHECK(*report.first_bad_leaf == damage.index << damage.level);
  CHECK_THAT(report.tree_problem, Catch::Contains(damage.remove ? "is missing" : "does not match"));
}

TEST_CASE("verify: a store whose tree was never built checks the chain alone", "[tree]") {
  testing::TempDir dir;
  const auto data = dir.sub("data");
  make_log(data, 9);
  { testing::RawStore(data).drop_tree(); }
  const auto report = verify(data, {.root_at = 9});
  CHECK(report.ok);
  CHECK(report.tree_leaves_checked == 0);
  CHECK(report.root_at);
}
