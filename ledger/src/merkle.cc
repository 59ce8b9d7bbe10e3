#include "orgledger/ledger/merkle.h"

#include <bit>
#include <memory>

#include "sha256.h"

namespace orgledger::ledger {
namespace {

// SHA-256(prefix ‖ first ‖ second): RFC 6962's domain separation of leaves (0x00) and nodes (0x01).
Hash prefixed_sha256(std::uint8_t prefix, std::span<const std::uint8_t> first, std::span<const std::uint8_t> second = {}) {
  return sha256({std::span(&prefix, 1), first, second});
}

Error missing(unsigned level, std::uint64_t index) {
  return Error{ErrorCode::corrupt, "the Merkle tree lacks node (" + std::to_string(level) + ", " + std::to_string(index) + ")"};
}

// The largest power of two smaller than n (n ≥ 2): the RFC's split point k.
std::uint64_t split(std::uint64_t n) { return std::bit_floor(n - 1); }

// MTH(D[begin:end]): a stored node when the range is a perfect, aligned subtree, else the RFC's
// split. The ranges the recursions below ask for are always made of O(log n) such nodes.
std::expected<Hash, Error> range_root(std::uint64_t begin, std::uint64_t end, const NodeReader& read) {
  const std::uint64_t n = end - begin;
  if (std::has_single_bit(n) && begin % n == 0) {
    const auto level = static_cast<unsigned>(std::countr_zero(n));
    auto node = read(level, begin >> level);
    if (!node) return std::unexpected(missing(level, begin >> level));
    return *node;
  }
  const std::uint64_t k = split(n);
  auto left = range_root(begin, begin + k, read);
  if (!left) return left;
  auto right = range_root(begin + k, end, read);
  if (!right) return right;
  return node_hash(*left, *right);
}

// PATH(m, D[begin:end]), RFC 6962 §2.1.1.
std::expected<void, Error> path(std::uint64_t m, std::uint64_t begin, std::uint64_t end, const NodeReader& read,
                                std::vector<Hash>& out) {
  const std::uint64_t n = end - begin;
  if (n == 1) return {};
  const std::uint64_t k = split(n);
  if (m < k) {
    if (auto inner = path(m, begin, begin + k, read, out); !inner) return inner;
    auto sibling = range_root(begin + k, end, read);
    if (!sibling) return std::unexpected(sibling.error());
    out.push_back(*sibling);
  } else {
    if (auto inner = path(m - k, begin + k, end, read, out); !inner) return inner;
    auto sibling = range_root(begin, begin + k, read);
    if (!sibling) return std::unexpected(sibling.error());
    out.push_back(*sibling);
  }
  return {};
}

// SUBPROOF(m, D[begin:end], whole), RFC 6962 §2.1.2.
std::expected<void, Error> subproof(std::uint64_t m, std::uint64_t begin, std::uint64_t end, bool whole,
                                    const NodeReader& read, std::vector<Hash>& out) {
  const std::uint64_t n = end - begin;
  if (m == n) {
    if (whole) return {};
    auto root = range_root(begin, end, read);
    if (!root) return std::unexpected(root.error());
    out.push_back(*root);
    return {};
  }
  const std::uint64_t k = split(n);
  if (m <= k) {
    if (auto inner = subproof(m, begin, begin + k, whole, read, out); !inner) return inner;
    auto right = range_root(begin + k, end, read);
    if (!right) return std::unexpected(right.error());
    out.push_back(*right);
  } else {
    if (auto inner = subproof(m - k, begin + k, end, false, read, out); !inner) return inner;
    auto left = range_root(begin, begin + k, read);
    if (!left) return std::unexpected(left.error());
    out.push_back(*left);
  }
  return {};
}

}  // namespace

Hash leaf_hash(std::span<const std::uint8_t> leaf) { return prefixed_sha256(0x00, leaf); }

Hash node_hash(const Hash& left, const Hash& right) { return prefixed_sha256(0x01, left, right); }

std::expected<RightEdge, Error> RightEdge::of(std::uint64_t size, const NodeReader& read) {
  RightEdge edge;
  edge.size_ = size;
  for (unsigned level = 0; (size >> level) != 0; ++level) {
    if (((size >> level) & 1) == 0) continue;
    const std::uint64_t index = (size >> level) - 1;
    auto node = read(level, index);
    if (!node) return std::unexpected(missing(level, index));
    edge.pending_.resize(level + 1);
    edge.pending_[level] = *node;
  }
  return edge;
}

Hash RightEdge::root() const {
  // The perfect subtrees of the size's binary decomposition, folded from the smallest: MTH splits
  // at the largest power of two, so the smaller subtrees pair first.
  std::optional<Hash> root;
  for (const auto& node : pending_) {
    if (node) root = root ? node_hash(*node, *root) : *node;
  }
  return root.value_or(Hash{});
}

std::expected<Hash, Error> tree_root(std::uint64_t size, const NodeReader& read) {
  if (size == 0) return std::unexpected(Error{ErrorCode::invalid_argument, "a tree of no leaves has no root here"});
  return range_root(0, size, read);
}

std::expected<std::vector<Hash>, Error> inclusion_path(std::uint64_t index, std::uint64_t size, const NodeReader& read) {
  if (index >= size) return std::unexpected(Error{ErrorCode::invalid_argument, "the leaf is not in a tree of that size"});
  std::vector<Hash> out;
  if (auto built = path(index, 0, size, read, out); !built) return std::unexpected(built.error());
  return out;
}

std::expected<std::vector<Hash>, Error> consistency_path(std::uint64_t from, std::uint64_t to, const NodeReader& read) {
  if (from == 0 || from > to) return std::unexpected(Error{ErrorCode::invalid_argument, "consistency needs 1 ≤ from ≤ to"});
  std::vector<Hash> out;
  if (from == to) return out;
  if (auto built = subproof(from, 0, to, true, read, out); !built) return std::unexpected(built.error());
  return out;
}

}  // namespace orgledger::ledger
