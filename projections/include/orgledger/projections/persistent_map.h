// A hash map keyed by id whose copies share their structure (issue 15: readers never block the
// writer). Copying one costs O(1); changing a copy copies only the path to what changed — the
// trie's nodes from its root to the entry, and the entry itself — and leaves every other copy as
// it was. The writer folds events into its own copy while readers keep theirs, with no lock
// between them; what no copy refers to any more is freed by the last one to let go (reference
// counts, the simplest form of RCU's grace period).
//
// The structure is a CHAMP trie (compressed hash-array-mapped prefix tree, Steindorfer and
// Vinju 2015): 32-way nodes indexed by 5 bits of the key's 64-bit hash, entries and sub-nodes
// kept apart, each behind a bitmap. Depth grows as log32(n): 4 levels at a million ids.
//
// Threads: distinct copies may be used on distinct threads freely, even when they share nodes.
// One copy is like a std::unordered_map: any number of const users, or one user that changes it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <utility>

#include "orgledger/projections/persistent_map_detail.h"

namespace orgledger::projections {

template <typename Value, typename Hash = detail::IdHash>
class PersistentMap {
  using Trie = detail::Trie<Value, Hash>;

 public:
  using key_type = std::string;
  using mapped_type = Value;
  using value_type = std::pair<const std::string, Value>;
  using const_iterator = typename Trie::Iterator;
  using iterator = const_iterator;  // entries change only through the calls below

  std::size_t size() const { return trie_.size; }
  bool empty() const { return trie_.size == 0; }
  // Every entry once, in an order fixed by the keys' hashes (not sorted).
  const_iterator begin() const { return const_iterator::first(trie_.root.get()); }
  const_iterator end() const { return const_iterator(); }

  // end() when absent. The iterator may be advanced like begin()'s.
  const_iterator find(std::string_view key) const { return trie_.find(key); }
  // Null when absent: the cheapest look-up.
  const Value* lookup(std::string_view key) const { return trie_.lookup(key); }
  bool contains(std::string_view key) const { return lookup(key) != nullptr; }
  // As std::unordered_map::at: throws std::out_of_range when absent.
  const Value& at(std::string_view key) const { return trie_.at(key); }

  // The entry to change in place, or null when absent (then nothing is copied). Copies whatever
  // of its path another copy of the map still shares.
  Value* find_mutable(std::string_view key) { return trie_.upsert(key, nullptr); }
  // The entry to change, inserted value-initialized when absent.
  Value& operator[](std::string_view key) {
    return *trie_.upsert(key, [] { return Value(); });
  }
  // Inserts `value` unless the key is present; returns whether it did (then the map changed).
  bool emplace(std::string_view key, Value value) {
    bool inserted = false;
    trie_.upsert(key, [&] { return inserted = true, std::move(value); });
    return inserted;
  }
  // Adds every entry of `other` whose key this map lacks, sharing it rather than copying it.
  void merge(const PersistentMap& other) { trie_.merge(other.trie_); }
  // Removes the entry; returns whether there was one.
  bool erase(std::string_view key) { return trie_.erase(key); }

  // Calls fn(key) once for each key added, removed or changed since `before`. Costs time in the
  // number of differences (times the depth) when one map is a later version of the other: what
  // the two share is skipped whole. An entry copied but left equal may be reported too.
  template <typename Fn>
  void for_each_difference(const PersistentMap& before, Fn&& fn) const {
    Trie::differences(before.trie_.root.get(), trie_.root.get(), 0, fn);
  }

  // Same keys with equal values, whatever the history of either map.
  friend bool operator==(const PersistentMap& a, const PersistentMap& b) { return Trie::equal(a.trie_, b.trie_); }

 private:
  Trie trie_;
};

}  // namespace orgledger::projections
