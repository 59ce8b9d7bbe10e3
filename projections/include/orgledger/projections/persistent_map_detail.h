// The trie behind PersistentMap (persistent_map.h). Not for use elsewhere.
#pragma once

#include <algorithm>
#include <array>
#include <new>
#include <span>
#include <atomic>
#include <bit>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

namespace orgledger::projections::detail {

// An object shared by reference count. A copy starts unshared: the count is the object's
// identity's, never copied.
struct Shared {
  Shared() = default;
  Shared(const Shared&) {}
  Shared& operator=(const Shared&) = delete;
  mutable std::atomic<std::uint32_t> references{1};
};

// A counted reference to a Shared object (intrusive: one allocation per object).
template <typename T>
class Ref {
 public:
  Ref() = default;
  // Takes over a new object, whose count is 1.
  static Ref adopt(T* object) {
    Ref ref;
    ref.object_ = object;
    return ref;
  }
  // One more reference to an object another Ref holds.
  static Ref share(const T* object) {
    object->references.fetch_add(1, std::memory_order_relaxed);
    return adopt(const_cast<T*>(object));
  }
  Ref(const Ref& other) : object_(other.object_) {
    if (object_ != nullptr) object_->references.fetch_add(1, std::memory_order_relaxed);
  }
  Ref(Ref&& other) noexcept : object_(std::exchange(other.object_, nullptr)) {}
  Ref& operator=(Ref other) noexcept {
    std::swap(object_, other.object_);
    return *this;
  }
  ~Ref() {
    // acq_rel: the last holder's delete must see every other holder's reads done.
    if (object_ != nullptr && object_->references.fetch_sub(1, std::memory_order_acq_rel) == 1) T::dispose(object_);
  }
  T* get() const { return object_; }
  T* operator->() const { return object_; }
  T& operator*() const { return *object_; }
  explicit operator bool() const { return object_ != nullptr; }
  // Whether nothing else refers to the object: then it may be changed in place, provided the
  // holder of this reference is itself unshared (the trie checks from its root down). Acquire:
  // the holders that let go before must have finished reading it.
  bool unique() const { return object_->references.load(std::memory_order_acquire) == 1; }

 private:
  T* object_ = nullptr;
};

template <typename T, typename... Args>
Ref<T> make_ref(Args&&... args) {
  return Ref<T>::adopt(new T(std::forward<Args>(args)...));
}

// The key's 64-bit hash (a test may give a worse one, to make the trie deep and collide).
struct IdHash {
  std::uint64_t operator()(std::string_view key) const noexcept { return std::hash<std::string_view>{}(key); }
};

template <typename Value, typename Hash>
struct Trie {
  static std::uint64_t hash_of(std::string_view key) { return Hash{}(key); }
  static constexpr unsigned kBits = 5;
  static constexpr unsigned kHashBits = 64;
  // Levels at shifts 0, 5, …, 60, then one collision list (keys whose 64-bit hashes are equal).
  static constexpr std::size_t kMaxDepth = kHashBits / kBits + 2;

  struct Entry : Shared {
    template <typename... Args>
    Entry(std::uint64_t h, std::string_view key, Args&&... args)
        : hash(h), pair(std::piecewise_construct, std::forward_as_tuple(key), std::forward_as_tuple(std::forward<Args>(args)...)) {}
    static void dispose(Entry* entry) { delete entry; }
    std::uint64_t hash;
    std::pair<const std::string, Value> pair;
  };
  // Entries and sub-nodes, each in the order of their 5-bit fragments, present where the bitmaps
  // say. At the collision depth the bitmaps are unused and the entries are a plain list.
  // One allocation per node: its references follow it in memory, entries first (a node is
  // copied at every change a reader might see, so its cost is an allocation, not three).
  struct alignas(8) Node : Shared {
    std::uint32_t entry_map = 0;
    std::uint32_t child_map = 0;
    std::uint32_t entry_count = 0;
    std::uint32_t child_count = 0;
    std::uint32_t capacity = 0;  // slots allocated: a node only this trie holds grows in place

    Ref<Entry>* entry_slots() { return reinterpret_cast<Ref<Entry>*>(this + 1); }
    const Ref<Entry>* entry_slots() const { return reinterpret_cast<const Ref<Entry>*>(this + 1); }
    Ref<Node>* child_slots() { return reinterpret_cast<Ref<Node>*>(entry_slots() + entry_count); }
    const Ref<Node>* child_slots() const { return reinterpret_cast<const Ref<Node>*>(entry_slots() + entry_count); }
    std::span<Ref<Entry>> entries() { return {entry_slots(), entry_count}; }
    std::span<const Ref<Entry>> entries() const { return {entry_slots(), entry_count}; }
    std::span<Ref<Node>> children() { return {child_slots(), child_count}; }
    std::span<const Ref<Node>> children() const { return {child_slots(), child_count}; }

    // A node with `entries` and `children` references, all null, and room for `capacity` in all.
    static Ref<Node> make(std::uint32_t entry_map, std::uint32_t child_map, std::size_t entries, std::size_t children,
                          std::size_t capacity = 0) {
      static_assert(sizeof(Node) % alignof(Ref<Entry>) == 0);
      capacity = std::max(capacity, entries + children);
      void* memory = ::operator new(sizeof(Node) + capacity * sizeof(void*));
      Node* node = new (memory) Node();
      node->entry_map = entry_map;
      node->child_map = child_map;
      node->entry_count = static_cast<std::uint32_t>(entries);
      node->child_count = static_cast<std::uint32_t>(children);
      node->capacity = static_cast<std::uint32_t>(capacity);
      for (auto& slot : node->entries()) new (&slot) Ref<Entry>();
      for (auto& slot : node->children()) new (&slot) Ref<Node>();
      return Ref<Node>::adopt(node);
    }
    static void dispose(Node* node) {
      for (auto& slot : node->entries()) slot.~Ref<Entry>();
      for (auto& slot : node->children()) slot.~Ref<Node>();
      node->~Node();
      ::operator delete(node);
    }
  };

  // A copy of `from` that shares its entries and sub-nodes.
  static Ref<Node> copy(const Node& from) {
    Ref<Node> node = Node::make(from.entry_map, from.child_map, from.entry_count, from.child_count);
    std::copy(from.entries().begin(), from.entries().end(), node->entries().begin());
    std::copy(from.children().begin(), from.children().end(), node->children().begin());
    return node;
  }
  // Room for growth where a node is rebuilt to grow: a node that keeps growing (a fold) is then
  // rebuilt once in a while rather than at every key.
  static std::size_t roomy(std::size_t slots) { return slots + slots / 2 + 1; }

  // Inserts `entry` at `at` among the entries of the node in `slot` (and sets `bit` in its entry
  // map): in place when only this trie holds the node and it has room, else into a new node
  // (taking the references over, without touching their counts, when the old one was this trie's).
  static void add_entry(Ref<Node>& slot, std::size_t at, std::uint32_t bit, Ref<Entry> entry) {
    Node& node = *slot;
    const bool own = slot.unique();
    if (own && node.entry_count + node.child_count < node.capacity) {
      Ref<Entry>* entries = node.entry_slots();
      Ref<Node>* children = node.child_slots();
      // The children move one slot up: the first child's slot becomes the last entry's.
      new (children + node.child_count) Ref<Node>();
      std::move_backward(children, children + node.child_count, children + node.child_count + 1);
      children[0].~Ref<Node>();
      new (entries + node.entry_count) Ref<Entry>();
      std::move_backward(entries + at, entries + node.entry_count, entries + node.entry_count + 1);
      entries[at] = std::move(entry);
      ++node.entry_count;
      node.entry_map |= bit;
      return;
    }
    Ref<Node> grown = Node::make(node.entry_map | bit, node.child_map, node.entry_count + 1, node.child_count,
                                 roomy(node.entry_count + node.child_count + 1));
    auto source = node.entries();
    auto target = grown->entries();
    auto head = target.begin() + static_cast<std::ptrdiff_t>(at);
    auto split = source.begin() + static_cast<std::ptrdiff_t>(at);
    if (own) {
      std::move(source.begin(), split, target.begin());
      std::move(split, source.end(), head + 1);
      std::move(node.children().begin(), node.children().end(), grown->children().begin());
    } else {
      std::copy(source.begin(), split, target.begin());
      std::copy(split, source.end(), head + 1);
      std::copy(node.children().begin(), node.children().end(), grown->children().begin());
    }
    *head = std::move(entry);
    slot = std::move(grown);
  }
  // A copy of `from` without the entry at `at` (and with `bit` cleared in its entry map).
  static Ref<Node> without_entry(const Node& from, std::size_t at, std::uint32_t bit) {
    Ref<Node> node = Node::make(from.entry_map & ~bit, from.child_map, from.entry_count - 1, from.child_count);
    auto source = from.entries();
    auto target = node->entries();
    std::copy(source.begin(), source.begin() + static_cast<std::ptrdiff_t>(at), target.begin());
    std::copy(source.begin() + static_cast<std::ptrdiff_t>(at) + 1, source.end(), target.begin() + static_cast<std::ptrdiff_t>(at));
    std::copy(from.children().begin(), from.children().end(), node->children().begin());
    return node;
  }

  static bool collisions(unsigned shift) { return shift >= kHashBits; }
  static std::uint32_t bit_of(std::uint64_t hash, unsigned shift) { return 1u << ((hash >> shift) & 31u); }
  static std::size_t index_of(std::uint32_t map, std::uint32_t bit) { return std::popcount(map & (bit - 1)); }
  static bool same(const Entry& entry, std::uint64_t hash, std::string_view key) {
    return entry.hash == hash && entry.pair.first == key;
  }

  // Walks every entry, depth first; also resumes after an entry that find() reached.
  class Iterator {
   public:
    using value_type = std::pair<const std::string, Value>;
    using reference = const value_type&;
    using pointer = const value_type*;
    using difference_type = std::ptrdiff_t;
    using iterator_category = std::forward_iterator_tag;

    Iterator() = default;
    static Iterator first(const Node* root) {
      Iterator it;
      if (root != nullptr) {
        it.stack_[0] = {root, 0};
        it.depth_ = 1;
        it.advance();
      }
      return it;
    }
    reference operator*() const { return current_->pair; }
    pointer operator->() const { return &current_->pair; }
    Iterator& operator++() {
      advance();
      return *this;
    }
    Iterator operator++(int) {
      Iterator before = *this;
      advance();
      return before;
    }
    friend bool operator==(const Iterator& a, const Iterator& b) { return a.current_ == b.current_; }
    // The entry itself, shared with the trie.
    Ref<Entry> entry() const { return Ref<Entry>::share(current_); }

   private:
    friend struct Trie;
    struct Frame {
      const Node* node = nullptr;
      std::size_t next = 0;  // entries first, then children
    };
    void advance() {
      while (depth_ > 0) {
        Frame& frame = stack_[depth_ - 1];
        const auto& entries = frame.node->entries();
        if (frame.next < entries.size()) {
          current_ = entries[frame.next++].get();
          return;
        }
        const std::size_t child = frame.next - entries.size();
        if (child < frame.node->children().size()) {
          ++frame.next;
          stack_[depth_++] = {frame.node->children()[child].get(), 0};
          continue;
        }
        --depth_;
      }
      current_ = nullptr;
    }
    std::array<Frame, kMaxDepth> stack_{};
    std::size_t depth_ = 0;
    const Entry* current_ = nullptr;
  };

  Ref<Node> root;
  std::size_t size = 0;

  const Value* lookup(std::string_view key) const {
    const std::uint64_t hash = hash_of(key);
    const Node* node = root.get();
    for (unsigned shift = 0; node != nullptr; shift += kBits) {
      if (collisions(shift)) {
        for (const auto& entry : node->entries()) {
          if (same(*entry, hash, key)) return &entry->pair.second;
        }
        return nullptr;
      }
      const std::uint32_t bit = bit_of(hash, shift);
      if ((node->entry_map & bit) != 0) {
        const Entry& entry = *node->entries()[index_of(node->entry_map, bit)];
        return same(entry, hash, key) ? &entry.pair.second : nullptr;
      }
      if ((node->child_map & bit) == 0) return nullptr;
      node = node->children()[index_of(node->child_map, bit)].get();
    }
    return nullptr;
  }

  // As lookup, keeping the path so that the iterator can go on from the entry.
  Iterator find(std::string_view key) const {
    const std::uint64_t hash = hash_of(key);
    Iterator it;
    const Node* node = root.get();
    for (unsigned shift = 0; node != nullptr; shift += kBits) {
      auto& frame = it.stack_[it.depth_++];
      frame.node = node;
      if (collisions(shift)) {
        for (std::size_t i = 0; i < node->entries().size(); ++i) {
          if (!same(*node->entries()[i], hash, key)) continue;
          frame.next = i + 1;
          it.current_ = node->entries()[i].get();
          return it;
        }
        return Iterator();
      }
      const std::uint32_t bit = bit_of(hash, shift);
      if ((node->entry_map & bit) != 0) {
        const std::size_t i = index_of(node->entry_map, bit);
        if (!same(*node->entries()[i], hash, key)) return Iterator();
        frame.next = i + 1;
        it.current_ = node->entries()[i].get();
        return it;
      }
      if ((node->child_map & bit) == 0) return Iterator();
      const std::size_t child = index_of(node->child_map, bit);
      frame.next = node->entries().size() + child + 1;
      node = node->children()[child].get();
    }
    return Iterator();
  }

  const Value& at(std::string_view key) const {
    if (const Value* value = lookup(key)) return *value;
    throw std::out_of_range("no entry " + std::string(key));
  }

  // Makes what `ref` points to this trie's alone, copying it when another copy shares it.
  static Entry& own(Ref<Entry>& ref) {
    if (!ref.unique()) ref = make_ref<Entry>(*ref);
    return *ref;
  }
  static Node& own(Ref<Node>& ref) {
    if (!ref.unique()) ref = copy(*ref);
    return *ref;
  }

  // The value under `key`, changed in place after copying its shared path; when absent, null if
  // `make` is nullptr, else a new entry holding make().
  template <typename Make>
  Value* upsert(std::string_view key, Make&& make) {
    constexpr bool inserts = !std::is_null_pointer_v<std::decay_t<Make>>;
    if constexpr (!inserts) {
      if (lookup(key) == nullptr) return nullptr;  // nothing to copy for an absent key
    }
    const std::uint64_t hash = hash_of(key);
    if (!root) root = Node::make(0, 0, 0, 0);
    Ref<Node>* slot = &root;
    // A node is copied (when shared) only where the path goes on through it or an entry in it
    // changes; where a key is added, the node is rebuilt with it anyway.
    for (unsigned shift = 0;; shift += kBits) {
      const Node& node = **slot;
      if (collisions(shift)) {
        for (std::size_t i = 0; i < node.entry_count; ++i) {
          if (same(*node.entries()[i], hash, key)) return &own(own(*slot).entries()[i]).pair.second;
        }
        if (!inserts) return nullptr;
        add_entry(*slot, node.entry_count, 0, new_entry(hash, key, make));
        ++size;
        return &(*slot)->entries().back()->pair.second;
      }
      const std::uint32_t bit = bit_of(hash, shift);
      if ((node.entry_map & bit) != 0) {
        const std::size_t i = index_of(node.entry_map, bit);
        if (same(*node.entries()[i], hash, key)) return &own(own(*slot).entries()[i]).pair.second;
        if (!inserts) return nullptr;
        slot = &push_down(*slot, bit, i, shift + kBits);  // the new key goes on below, beside it
        continue;
      }
      if ((node.child_map & bit) != 0) {
        slot = &own(*slot).children()[index_of(node.child_map, bit)];
        continue;
      }
      if (!inserts) return nullptr;
      const std::size_t i = index_of(node.entry_map, bit);
      add_entry(*slot, i, bit, new_entry(hash, key, make));
      ++size;
      return &(*slot)->entries()[i]->pair.second;
    }
  }

  // Inserts `entry` itself (no copy of its value) unless its key is present.
  void place(Ref<Entry> entry) {
    const std::uint64_t hash = entry->hash;
    const std::string_view key = entry->pair.first;
    if (!root) root = Node::make(0, 0, 0, 0);
    Ref<Node>* slot = &root;
    for (unsigned shift = 0;; shift += kBits) {
      const Node& node = **slot;
      if (collisions(shift)) {
        for (const auto& present : node.entries()) {
          if (same(*present, hash, key)) return;
        }
        add_entry(*slot, node.entry_count, 0, std::move(entry));
        ++size;
        return;
      }
      const std::uint32_t bit = bit_of(hash, shift);
      if ((node.entry_map & bit) != 0) {
        const std::size_t i = index_of(node.entry_map, bit);
        if (same(*node.entries()[i], hash, key)) return;
        slot = &push_down(*slot, bit, i, shift + kBits);
        continue;
      }
      if ((node.child_map & bit) != 0) {
        slot = &own(*slot).children()[index_of(node.child_map, bit)];
        continue;
      }
      add_entry(*slot, index_of(node.entry_map, bit), bit, std::move(entry));
      ++size;
      return;
    }
  }

  // Every entry of `other` whose key this trie lacks, shared rather than copied.
  void merge(const Trie& other) {
    for (auto it = Iterator::first(other.root.get()); it != Iterator(); ++it) place(it.entry());
  }

  // A new entry holding make(); never called with nullptr (upsert returns first).
  template <typename Make>
  static Ref<Entry> new_entry(std::uint64_t hash, std::string_view key, Make& make) {
    if constexpr (std::is_null_pointer_v<std::decay_t<Make>>) {
      return {};
    } else {
      return make_ref<Entry>(hash, key, make());
    }
  }

  // Replaces the node in `slot` (this trie's own) by one whose entry at `entry_index` (fragment
  // `bit`) has moved into a new sub-node one level down; returns the slot of that sub-node.
  static Ref<Node>& push_down(Ref<Node>& slot, std::uint32_t bit, std::size_t entry_index, unsigned child_shift) {
    Node& node = *slot;
    const bool own = slot.unique();  // then the references are taken over, their counts untouched
    auto transfer = [own](auto first, auto last, auto out) {
      return own ? std::move(first, last, out) : std::copy(first, last, out);
    };
    Ref<Entry> moved = own ? std::move(node.entries()[entry_index]) : node.entries()[entry_index];
    const std::uint32_t child_bit = collisions(child_shift) ? 0 : bit_of(moved->hash, child_shift);
    Ref<Node> child = Node::make(child_bit, 0, 1, 0, roomy(1));
    child->entries()[0] = std::move(moved);
    const std::size_t at = index_of(node.child_map, bit);
    Ref<Node> replaced = Node::make(node.entry_map & ~bit, node.child_map | bit, node.entry_count - 1, node.child_count + 1);
    auto entries = node.entries();
    const auto index = static_cast<std::ptrdiff_t>(entry_index);
    transfer(entries.begin(), entries.begin() + index, replaced->entries().begin());
    transfer(entries.begin() + index + 1, entries.end(), replaced->entries().begin() + index);
    auto children = node.children();
    const auto child_at = static_cast<std::ptrdiff_t>(at);
    transfer(children.begin(), children.begin() + child_at, replaced->children().begin());
    replaced->children()[at] = std::move(child);
    transfer(children.begin() + child_at, children.end(), replaced->children().begin() + child_at + 1);
    slot = std::move(replaced);
    return slot->children()[at];
  }

  // Removes `key`'s entry. Sub-nodes left empty stay (a later insert may use them); they hold
  // nothing, so iteration and equality do not see them.
  bool erase(std::string_view key) {
    if (lookup(key) == nullptr) return false;
    const std::uint64_t hash = hash_of(key);
    Ref<Node>* slot = &root;
    for (unsigned shift = 0;; shift += kBits) {
      const Node& node = **slot;
      if (collisions(shift)) {
        for (std::size_t i = 0; i < node.entry_count; ++i) {
          if (!same(*node.entries()[i], hash, key)) continue;
          *slot = without_entry(node, i, 0);
          --size;
          return true;
        }
        return false;
      }
      const std::uint32_t bit = bit_of(hash, shift);
      if ((node.entry_map & bit) != 0) {
        *slot = without_entry(node, index_of(node.entry_map, bit), bit);
        --size;
        return true;
      }
      slot = &own(*slot).children()[index_of(node.child_map, bit)];
    }
  }

  // Calls fn(key) for each key whose entry is not the same object in `a` and `b` (added, removed,
  // or changed). Subtrees the two share are skipped whole.
  template <typename Fn>
  static void differences(const Node* a, const Node* b, unsigned shift, Fn& fn) {
    if (a == b) return;
    if (a == nullptr || b == nullptr || collisions(shift)) return differ(gather(a), gather(b), fn);
    for (unsigned fragment = 0; fragment < 32; ++fragment) {
      const std::uint32_t bit = 1u << fragment;
      const Node* child_a = (a->child_map & bit) != 0 ? a->children()[index_of(a->child_map, bit)].get() : nullptr;
      const Node* child_b = (b->child_map & bit) != 0 ? b->children()[index_of(b->child_map, bit)].get() : nullptr;
      if (child_a != nullptr && child_b != nullptr) {
        differences(child_a, child_b, shift + kBits, fn);
        continue;
      }
      const Entry* entry_a = (a->entry_map & bit) != 0 ? a->entries()[index_of(a->entry_map, bit)].get() : nullptr;
      const Entry* entry_b = (b->entry_map & bit) != 0 ? b->entries()[index_of(b->entry_map, bit)].get() : nullptr;
      if (child_a == nullptr && child_b == nullptr && entry_a == entry_b) continue;
      // Where one side holds a sub-node and the other an entry (or nothing), compare by key.
      differ(child_a != nullptr ? gather(child_a) : single(entry_a), child_b != nullptr ? gather(child_b) : single(entry_b), fn);
    }
  }
  static std::vector<const Entry*> single(const Entry* entry) {
    return entry == nullptr ? std::vector<const Entry*>{} : std::vector<const Entry*>{entry};
  }
  static std::vector<const Entry*> gather(const Node* node) {
    std::vector<const Entry*> out;
    for (auto it = Iterator::first(node); it != Iterator(); ++it) out.push_back(it.current_);
    return out;
  }
  template <typename Fn>
  static void differ(const std::vector<const Entry*>& a, const std::vector<const Entry*>& b, Fn& fn) {
    auto in = [](const std::vector<const Entry*>& side, const Entry* entry) {
      for (const Entry* other : side) {
        if (other->hash == entry->hash && other->pair.first == entry->pair.first) return other;
      }
      return static_cast<const Entry*>(nullptr);
    };
    for (const Entry* entry : a) {
      if (in(b, entry) != entry) fn(std::string_view(entry->pair.first));
    }
    for (const Entry* entry : b) {
      if (a.empty() || in(a, entry) == nullptr) fn(std::string_view(entry->pair.first));
    }
  }

  static bool equal(const Trie& a, const Trie& b) {
    if (a.size != b.size) return false;
    if (a.root.get() == b.root.get()) return true;
    for (auto it = Iterator::first(a.root.get()); it != Iterator(); ++it) {
      const Value* other = b.lookup(it->first);
      if (other == nullptr || !(*other == it->second)) return false;
    }
    return true;
  }
};

}  // namespace orgledger::projections::detail
