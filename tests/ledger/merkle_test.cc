// The RFC 6962 tree (ledger/merkle.h) against an independent reference written from the RFC's
// definitions (MTH, PATH, PROOF of §2.1) over a plain list of leaves, and against Certificate
// Transparency's published roots of its eight-leaf test tree.
#include <openssl/sha.h>
#include <catch2/catch.hpp>

#include <map>
#include <random>
#include <string>
#include <vector>

#include "commands.h"
#include "orgledger/ledger/event_codec.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/ledger.h"
#include "raw_store.h"
#include "temp_dir.h"
#include "orgledger/ledger/merkle.h"
#include "orgledger/ledger/proof_check.h"
#include "seed.h"

using namespace orgledger;
using ledger::Hash;

namespace {

// ---- The reference: RFC 6962 §2.1, word for word, on std::string leaves --------------------------

std::string sha(const std::string& bytes) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(), digest);
  return std::string(reinterpret_cast<const char*>(digest), sizeof digest);
}

using Leaves = std::vector<std::string>;

std::uint64_t k_of(std::uint64_t n) {  // the largest power of two smaller than n
  std::uint64_t k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

Leaves slice(const Leaves& d, std::uint64_t from, std::uint64_t to) { return Leaves(d.begin() + from, d.begin() + to); }

std::string mth(const Leaves& d) {
  if (d.size() == 1) return sha(std::string(1, '\x00') + d[0]);
  const auto k = k_of(d.size());
  return sha(std::string(1, '\x01') + mth(slice(d, 0, k)) + mth(slice(d, k, d.size())));
}

std::vector<std::string> path(std::uint64_t m, const Leaves& d) {
  if (d.size() == 1) return {};
  const auto k = k_of(d.size());
  std::vector<std::string> out;
  if (m < k) {
    out = path(m, slice(d, 0, k));
    out.push_back(mth(slice(d, k, d.size())));
  } else {
    out = path(m - k, slice(d, k, d.size()));
    out.push_back(mth(slice(d, 0, k)));
  }
  return out;
}

std::vector<std::string> subproof(std::uint64_t m, const Leaves& d, bool b) {
  const std::uint64_t n = d.size();
  if (m == n) return b ? std::vector<std::string>{} : std::vector<std::string>{mth(d)};
  const auto k = k_of(n);
  std::vector<std::string> out;
  if (m <= k) {
    out = subproof(m, slice(d, 0, k), b);
    out.push_back(mth(slice(d, k, n)));
  } else {
    out = subproof(m - k, slice(d, k, n), false);
    out.push_back(mth(slice(d, 0, k)));
  }
  return out;
}

std::vector<std::string> proof(std::uint64_t m, const Leaves& d) { return subproof(m, d, true); }

// ---- The tree under test, its nodes in a map ---------------------------------------------------------

std::string bytes_of(const Hash& hash) { return std::string(reinterpret_cast<const char*>(hash.data()), hash.size()); }

std::vector<std::string> strings(const std::vector<Hash>& hashes) {
  std::vector<std::string> out;
  for (const auto& hash : hashes) out.push_back(bytes_of(hash));
  return out;
}

struct Tree {
  std::map<std::pair<unsigned, std::uint64_t>, Hash> nodes;
  std::uint64_t size = 0;
  std::size_t reads = 0;
  ledger::NodeReader reader() {
    return [this](unsigned level, std::uint64_t index) -> std::optional<Hash> {
      ++reads;
      auto it = nodes.find({level, index});
      if (it == nodes.end()) return std::nullopt;
      return it->second;
    };
  }
  // Appends through a right edge read back from the stored nodes, as the ledger does after an open.
  void append(const std::string& leaf) {
    auto edge = ledger::RightEdge::of(size, reader());
    REQUIRE(edge);
    edge->append(ledger::leaf_hash({reinterpret_cast<const std::uint8_t*>(leaf.data()), leaf.size()}),
                 [this](unsigned level, std::uint64_t index, const Hash& hash) { nodes[{level, index}] = hash; });
    ++size;
    CHECK(edge->size() == size);
  }
};

std::string hex(const std::string& bytes) {
  Hash hash{};
  std::copy(bytes.begin(), bytes.end(), hash.begin());
  return ledger::to_hex(hash);
}

}  // namespace

TEST_CASE("Merkle: Certificate Transparency's eight-leaf test tree has its published roots") {
  const Leaves leaves{"", std::string(1, '\x00'), "\x10", "\x20\x21", "\x30\x31", "\x40\x41\x42\x43",
                      "\x50\x51\x52\x53\x54\x55\x56\x57", "\x60\x61\x62\x63\x64\x65\x66\x67\x68\x69\x6a\x6b\x6c\x6d\x6e\x6f"};
  const std::vector<std::string> roots{"6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
                                       "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
                                       "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
                                       "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
                                       "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
                                       "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
                                       "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
                                       "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328"};
  Tree tree;
  for (std::size_t size = 1; size <= leaves.size(); ++size) {
    tree.append(leaves[size - 1]);
    INFO("size " << size);
    CHECK(hex(mth(slice(leaves, 0, size))) == roots[size - 1]);  // the reference agrees with CT
    CHECK(ledger::to_hex(ledger::tree_root(size, tree.reader()).value()) == roots[size - 1]);
  }
}

TEST_CASE("Merkle: root, every inclusion path and every consistency proof equal the reference for sizes 1-70") {
  Leaves leaves;
  Tree tree;
  for (int i = 0; i < 70; ++i) {
    leaves.push_back("event " + std::to_string(i) + std::string(static_cast<std::size_t>(i % 7), 'x'));
    tree.append(leaves.back());
  }
  for (std::uint64_t n = 1; n <= 70; ++n) {
    INFO("size " << n);
    const auto d = slice(leaves, 0, n);
    REQUIRE(bytes_of(ledger::tree_root(n, tree.reader()).value()) == mth(d));
    for (std::uint64_t m = 0; m < n; ++m) {
      INFO("leaf " << m);
      REQUIRE(strings(ledger::inclusion_path(m, n, tree.reader()).value()) == path(m, d));
    }
    for (std::uint64_t m = 1; m <= n; ++m) {
      INFO("from " << m);
      REQUIRE(strings(ledger::consistency_path(m, n, tree.reader()).value()) == proof(m, d));
    }
  }
  CHECK_FALSE(ledger::inclusion_path(70, 70, tree.reader()));
  CHECK_FALSE(ledger::consistency_path(0, 5, tree.reader()));
  CHECK_FALSE(ledger::consistency_path(6, 5, tree.reader()));
  CHECK_FALSE(ledger::tree_root(0, tree.reader()));
}

// (A proof names its tree's size, but only the root binds it: a proof of a leaf in a tree of 3 is
// also one in a tree of 4 whose root is given as the tree of 3's. Sizes are checked where roots are
// signed with them, in checkpoints; so no altered size is tried here.)
TEST_CASE("Merkle proofs check as RFC 9162 says: every true proof of sizes 1-40 verifies, every altered one fails") {
  Leaves leaves;
  Tree tree;
  for (int i = 0; i < 40; ++i) {
    leaves.push_back("leaf " + std::to_string(i));
    tree.append(leaves.back());
  }
  auto leaf = [&](std::uint64_t m) {
    return ledger::leaf_hash({reinterpret_cast<const std::uint8_t*>(leaves[m].data()), leaves[m].size()});
  };
  auto root = [&](std::uint64_t n) { return ledger::tree_root(n, tree.reader()).value(); };
  auto flip = [](std::vector<Hash> path, std::size_t at) {
    path[at][at % 32] ^= 1;
    return path;
  };
  for (std::uint64_t n = 1; n <= 40; ++n) {
    INFO("size " << n);
    for (std::uint64_t m = 0; m < n; ++m) {
      INFO("leaf " << m);
      const auto path = ledger::inclusion_path(m, n, tree.reader()).value();
      REQUIRE(ledger::inclusion_verifies(leaf(m), m, n, path, root(n)));
      auto other_root = root(n);
      other_root[0] ^= 1;
      CHECK_FALSE(ledger::inclusion_verifies(leaf(m), m, n, path, other_root));
      CHECK_FALSE(ledger::inclusion_verifies(leaf((m + 1) % 40), m, n, path, root(n)));  // another leaf
      if (n > 1) CHECK_FALSE(ledger::inclusion_verifies(leaf(m), (m + 1) % n, n, path, root(n)));  // another index
      CHECK_FALSE(ledger::inclusion_verifies(leaf(m), m, m, path, root(n)));  // index beyond the tree
      for (std::size_t at = 0; at < path.size(); ++at) CHECK_FALSE(ledger::inclusion_verifies(leaf(m), m, n, flip(path, at), root(n)));
      if (!path.empty()) {
        CHECK_FALSE(ledger::inclusion_verifies(leaf(m), m, n, std::span(path).first(path.size() - 1), root(n)));
      }
      auto longer = path;
      longer.push_back(root(n));
      CHECK_FALSE(ledger::inclusion_verifies(leaf(m), m, n, longer, root(n)));
    }
    for (std::uint64_t m = 1; m <= n; ++m) {
      INFO("from " << m);
      const auto path = ledger::consistency_path(m, n, tree.reader()).value();
      REQUIRE(ledger::consistency_verifies(m, n, root(m), root(n), path));
      if (m < n) CHECK_FALSE(ledger::consistency_verifies(m, n, root(m + 1), root(n), path));  // another old root
      auto other_root = root(n);
      other_root[31] ^= 1;
      CHECK_FALSE(ledger::consistency_verifies(m, n, root(m), other_root, path));
      for (std::size_t at = 0; at < path.size(); ++at) CHECK_FALSE(ledger::consistency_verifies(m, n, root(m), root(n), flip(path, at)));
      if (!path.empty()) CHECK_FALSE(ledger::consistency_verifies(m, n, root(m), root(n), std::span(path).first(path.size() - 1)));
    }
  }
  CHECK_FALSE(ledger::consistency_verifies(0, 3, root(1), root(3), {}));
  CHECK_FALSE(ledger::consistency_verifies(4, 3, root(3), root(3), {}));
}

TEST_CASE("Merkle: random large sizes agree with the reference, and a proof costs O(log n) reads") {
  const auto seed = testing::test_seed("merkle");
  std::mt19937_64 random(seed);
  Leaves leaves;
  Tree tree;
  const std::uint64_t total = 3000;
  for (std::uint64_t i = 0; i < total; ++i) {
    leaves.push_back(std::to_string(random()));
    tree.append(leaves.back());
  }
  CHECK(tree.nodes.size() < 2 * total);  // every perfect subtree once: n + n/2 + n/4 + …
  for (int round = 0; round < 12; ++round) {
    const std::uint64_t n = 1 + random() % total;
    const std::uint64_t m = random() % n;
    INFO("size " << n << ", leaf " << m << " (seed " << seed << ")");
    const auto d = slice(leaves, 0, n);
    tree.reads = 0;
    REQUIRE(strings(ledger::inclusion_path(m, n, tree.reader()).value()) == path(m, d));
    CHECK(tree.reads <= 4 * 12);  // log2(3000) < 12: a few reads per level at most
    tree.reads = 0;
    REQUIRE(strings(ledger::consistency_path(m + 1, n, tree.reader()).value()) == proof(m + 1, d));
    CHECK(tree.reads <= 4 * 12);
    REQUIRE(bytes_of(ledger::tree_root(n, tree.reader()).value()) == mth(d));
  }
}

TEST_CASE("Merkle: a node missing from the store is corrupt, never a wrong answer") {
  Tree tree;
  for (int i = 0; i < 8; ++i) tree.append("e" + std::to_string(i));
  tree.nodes.erase({1, 1});
  const auto root = ledger::tree_root(8, tree.reader());
  REQUIRE(root);  // the root of 8 is the stored node (3, 0)
  const auto path = ledger::inclusion_path(0, 8, tree.reader());
  REQUIRE_FALSE(path);
  CHECK(path.error().code == ledger::ErrorCode::corrupt);
}

TEST_CASE("Merkle store: the ledger keeps the tree with its events - roots and proofs equal the reference, after a reopen too") {
  testing::TempDir dir;
  Leaves leaves;
  auto check_all = [&](const ledger::Ledger& log) {
    const auto head = log.head().position;
    REQUIRE(head == leaves.size());
    for (std::uint64_t n = 1; n <= head; ++n) {
      INFO("size " << n);
      const auto d = slice(leaves, 0, n);
      REQUIRE(bytes_of(log.tree_root(n).value()) == mth(d));
      const std::uint64_t m = (n * 7919) % n;
      REQUIRE(strings(log.inclusion_proof(m, n).value()) == path(m, d));
      REQUIRE(strings(log.consistency_proof(1 + (n * 31) % n, n).value()) == proof(1 + (n * 31) % n, d));
    }
  };
  {
    auto log = ledger::Ledger::open(dir.path()).value();
    for (int i = 0; i < 40; ++i) {
      // Commands of one to three events: a group's leaves and nodes in one batch.
      auto append = testing::command("c" + std::to_string(i));
      for (int e = 0; e <= i % 3; ++e) {
        ledger::add_event(append, "org:o" + std::to_string(i % 5),
                          schema::MemberAddedT{.org = "o", .user = "u" + std::to_string(i * 10 + e)});
      }
      REQUIRE(log->append(std::move(append)));
    }
    const auto events = log->read(1, 1000).value();  // named: a loop over a temporary's value() dangles
    for (const auto& event : events) {
      const auto bytes = event.envelope_bytes();
      leaves.emplace_back(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }
    check_all(*log);
    CHECK(log->tree_root(0).error().code == ledger::ErrorCode::invalid_argument);
    CHECK(log->tree_root(leaves.size() + 1).error().code == ledger::ErrorCode::invalid_argument);
  }
  auto reopened = ledger::Ledger::open(dir.path()).value();
  check_all(*reopened);
  // Appends after a reopen continue the tree from its stored right edge.
  REQUIRE(reopened->append(testing::member_added("after", "org:o9", "late")));
  const auto tail = reopened->read(reopened->head().position, 1).value();
  const auto last = tail.front().envelope_bytes();
  leaves.emplace_back(reinterpret_cast<const char*>(last.data()), last.size());
  check_all(*reopened);
}

TEST_CASE("Merkle store: a store from before the tree gets its nodes at the first open - read-only it has none") {
  testing::TempDir dir;
  Leaves leaves;
  {
    auto log = ledger::Ledger::open(dir.path()).value();
    for (int i = 0; i < 25; ++i) REQUIRE(log->append(testing::member_added("c" + std::to_string(i), "org:o", "u" + std::to_string(i))));
    const auto events = log->read(1, 100).value();
    for (const auto& event : events) {
      const auto bytes = event.envelope_bytes();
      leaves.emplace_back(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }
  }
  testing::RawStore(dir.path()).drop_tree();
  {
    auto read_only = ledger::Ledger::open(dir.path(), {.mode = ledger::OpenMode::read_only}).value();
    REQUIRE_FALSE(read_only->tree_root(25));
    CHECK(read_only->tree_root(25).error().code == ledger::ErrorCode::not_found);
  }
  auto log = ledger::Ledger::open(dir.path()).value();  // builds it
  CHECK(bytes_of(log->tree_root(25).value()) == mth(leaves));
  CHECK(strings(log->inclusion_proof(3, 25).value()) == path(3, leaves));
}

TEST_CASE("Merkle store: a store of the first build with a tree (leaf hashes stored, no recorded size) opens and grows") {
  testing::TempDir dir;
  Leaves leaves;
  {
    auto log = ledger::Ledger::open(dir.path()).value();
    for (int i = 0; i < 21; ++i) REQUIRE(log->append(testing::member_added("c" + std::to_string(i), "org:o", "u" + std::to_string(i))));
    const auto events = log->read(1, 100).value();
    for (const auto& event : events) {
      const auto bytes = event.envelope_bytes();
      leaves.emplace_back(reinterpret_cast<const char*>(bytes.data()), bytes.size());
    }
  }
  {
    // As that build left it: every leaf hash under (0, i), and no size key.
    testing::RawStore raw(dir.path());
    raw.delete_tree_size();
    for (std::size_t i = 0; i < leaves.size(); ++i) {
      raw.put_tree_node(0, i, sha(std::string(1, '\x00') + leaves[i]));
    }
  }
  {
    auto read_only = ledger::Ledger::open(dir.path(), {.mode = ledger::OpenMode::read_only}).value();
    CHECK(bytes_of(read_only->tree_root(21).value()) == mth(leaves));
  }
  auto log = ledger::Ledger::open(dir.path()).value();
  REQUIRE(log->append(testing::member_added("after", "org:o", "late")));
  const auto tail = log->read(22, 1).value();
  const auto last = tail.front().envelope_bytes();
  leaves.emplace_back(reinterpret_cast<const char*>(last.data()), last.size());
  for (std::uint64_t n = 1; n <= 22; ++n) {
    REQUIRE(bytes_of(log->tree_root(n).value()) == mth(slice(leaves, 0, n)));
    REQUIRE(strings(log->inclusion_proof(n - 1, 22).value()) == path(n - 1, leaves));
  }
}
