// PersistentMap (projections/persistent_map.h): the state's maps, whose copies are the versions
// readers hold while the writer goes on (issue 15). Checked against std::map as the reference,
// with hashes that collide on purpose so the trie's deep levels and collision lists are reached.
#include <catch2/catch.hpp>

#include <algorithm>
#include <atomic>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "orgledger/projections/persistent_map.h"

using orgledger::projections::PersistentMap;

namespace {

// Keeps 3 bits of the real hash: every key shares its first 61 bits with many others, so the
// trie goes down all 13 levels to its collision lists.
struct ThreeBitHash {
  std::uint64_t operator()(std::string_view key) const noexcept { return std::hash<std::string_view>{}(key) & 7u; }
};
// Keeps the low 10 bits: two levels of 32-way nodes, then single-child chains down to the end.
struct TenBitHash {
  std::uint64_t operator()(std::string_view key) const noexcept { return std::hash<std::string_view>{}(key) & 1023u; }
};

template <typename Map>
std::map<std::string, int> contents(const Map& map) {
  std::map<std::string, int> out;
  for (const auto& [key, value] : map) REQUIRE(out.emplace(key, value).second);  // each entry once
  return out;
}

template <typename Hash>
void random_operations_match_a_reference(std::uint64_t seed) {
  std::mt19937_64 random(seed);
  PersistentMap<int, Hash> map;
  std::map<std::string, int> reference;
  std::vector<std::pair<PersistentMap<int, Hash>, std::map<std::string, int>>> versions;
  for (int step = 0; step < 6000; ++step) {
    const std::string key = "k" + std::to_string(random() % 700);
    switch (random() % 6) {
      case 0: CHECK(map.emplace(key, step) == reference.emplace(key, step).second); break;
      case 1: map[key] = step, reference[key] = step; break;
      case 2: CHECK(map.erase(key) == (reference.erase(key) == 1)); break;
      case 3:
        if (int* value = map.find_mutable(key)) {
          REQUIRE(reference.contains(key));
          *value += 1, reference[key] += 1;
        } else {
          CHECK_FALSE(reference.contains(key));
        }
        break;
      case 4: {
        const auto it = map.find(key);
        REQUIRE((it == map.end()) == !reference.contains(key));
        if (it != map.end()) CHECK(it->second == reference.at(key));
        break;
      }
      default:
        if (versions.size() < 40) versions.emplace_back(map, reference);  // a reader keeps this version
    }
    REQUIRE(map.size() == reference.size());
  }
  CHECK(contents(map) == reference);
  // Every version kept is as it was when copied, whatever the map went through afterwards; and
  // the map's differences from it name every key that differs, once each.
  for (const auto& [version, expected] : versions) {
    std::map<std::string, int> reported;
    map.for_each_difference(version, [&](std::string_view key) { ++reported[std::string(key)]; });
    for (const auto& [key, times] : reported) {
      CHECK(times == 1);
      CHECK((expected.contains(key) || reference.contains(key)));
    }
    for (const auto& [key, value] : reference) {
      if (!expected.contains(key) || expected.at(key) != value) CHECK(reported.contains(key));
    }
    for (const auto& [key, value] : expected) {
      if (!reference.contains(key)) CHECK(reported.contains(key));
    }
    CHECK(contents(version) == expected);
    CHECK(version.size() == expected.size());
    for (const auto& [key, value] : expected) CHECK(version.at(key) == value);
  }
}

}  // namespace

TEST_CASE("persistent map: random inserts, updates and erases match std::map, and every copy keeps its version") {
  for (std::uint64_t seed = 1; seed <= 3; ++seed) {
    INFO("seed " << seed);
    random_operations_match_a_reference<orgledger::projections::detail::IdHash>(seed);
    random_operations_match_a_reference<TenBitHash>(seed);
    random_operations_match_a_reference<ThreeBitHash>(seed);
  }
}

TEST_CASE("persistent map: the differences between two versions cost what changed, and an empty map differs by every key") {
  PersistentMap<int> before;
  for (int i = 0; i < 100000; ++i) before.emplace("k" + std::to_string(i), i);
  PersistentMap<int> after = before;
  after["k7"] = -1;
  after.erase("k8");
  after.emplace("new", 1);
  std::vector<std::string> keys;
  after.for_each_difference(before, [&](std::string_view key) { keys.emplace_back(key); });
  std::sort(keys.begin(), keys.end());
  CHECK(keys == std::vector<std::string>{"k7", "k8", "new"});
  std::size_t all = 0;
  after.for_each_difference(PersistentMap<int>(), [&](std::string_view) { ++all; });
  CHECK(all == after.size());
}

TEST_CASE("persistent map: find's iterator goes on through the rest of the map, as begin's does") {
  PersistentMap<int, TenBitHash> map;
  for (int i = 0; i < 300; ++i) map.emplace("id" + std::to_string(i), i);
  std::vector<std::string> order;
  for (const auto& entry : map) order.push_back(entry.first);
  REQUIRE(order.size() == 300);
  for (std::size_t i = 0; i < order.size(); i += 17) {
    std::vector<std::string> rest;
    for (auto it = map.find(order[i]); it != map.end(); ++it) rest.push_back(it->first);
    CHECK(rest == std::vector<std::string>(order.begin() + static_cast<std::ptrdiff_t>(i), order.end()));
  }
  CHECK(map.find("absent") == map.end());
  CHECK_THROWS_AS(map.at("absent"), std::out_of_range);
}

TEST_CASE("persistent map: equality is by content, whatever the history, and merge shares the entries it lacks") {
  PersistentMap<int> a, b;
  for (int i = 0; i < 500; ++i) a.emplace("x" + std::to_string(i), i);
  for (int i = 499; i >= 0; --i) b[std::string("x") + std::to_string(i)] = i;
  b.emplace("extra", 1);
  CHECK_FALSE(a == b);
  b.erase("extra");
  CHECK(a == b);
  b["x7"] = -7;
  CHECK_FALSE(a == b);

  PersistentMap<int> left, right;
  for (int i = 0; i < 200; ++i) (i % 2 == 0 ? left : right).emplace("m" + std::to_string(i), i);
  left.emplace("m1", -1);  // present in both: left's stays
  left.merge(right);
  CHECK(left.size() == 200);
  CHECK(left.at("m1") == -1);
  CHECK(left.at("m3") == 3);
  right["m3"] = 33;  // the shared entry is copied before it changes: left keeps its value
  CHECK(left.at("m3") == 3);
}

TEST_CASE("persistent map: readers on other threads keep their versions while the writer changes the map") {
  // Under ThreadSanitizer this is the check that a version shared with the writer is never written.
  PersistentMap<std::string> map;
  for (int i = 0; i < 2000; ++i) map.emplace("e" + std::to_string(i), "v0");
  std::atomic<std::shared_ptr<const PersistentMap<std::string>>> published{std::make_shared<const PersistentMap<std::string>>(map)};
  std::atomic<bool> stop{false};
  std::atomic<int> mismatches{0};
  std::vector<std::thread> readers;
  for (int r = 0; r < 3; ++r) {
    readers.emplace_back([&] {
      while (!stop) {
        const auto version = published.load();
        // A version has one round's value in every entry: all equal.
        const std::string& first = version->at("e0");
        for (const auto& [key, value] : *version) {
          if (value != first) ++mismatches;
        }
      }
    });
  }
  for (int round = 1; round <= 200; ++round) {
    for (int i = 0; i < 2000; ++i) *map.find_mutable("e" + std::to_string(i)) = "v" + std::to_string(round);
    published.store(std::make_shared<const PersistentMap<std::string>>(map));
  }
  stop = true;
  for (auto& reader : readers) reader.join();
  CHECK(mismatches == 0);
  CHECK(map.at("e1999") == "v200");
}
