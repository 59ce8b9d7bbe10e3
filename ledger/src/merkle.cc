#include "orgledger/ledger/merkle.h"

#include <openssl/evp.h>

#include <bit>
#include <memory>

namespace orgledger::ledger {
namespace {

Hash sha256(std::uint8_t prefix, std::span<const std::uint8_t> first, std::span<const std::uint8_t> second = {}) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
  EVP_DigestUpdate(context.get(), &prefix, 1);
  EVP_DigestUpdate(context.get(), first.data(), first.size());
  if (!second.empty()) EVP_DigestUpdate(context.get(), second.data(), second.size());
  Hash out{};
  unsigned int size = 0;
  EVP_DigestFinal_ex(context.get(), out.data(), &size);
  return out;
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

Hash leaf_hash(std::span<const std::uint8_t> leaf) { return sha256(0x00, leaf); }

Hash node_hash(const Hash& left, const Hash& right) { return sha256(0x01, left, right); }

std::expected<std::vector<MerkleNode>, Error> nodes_completed_by(std::uint64_t index, const Hash& leaf,
                                                                 const NodeReader& read) {
  std::vector<MerkleNode> out{MerkleNode{0, index, leaf}};
  // Each trailing 1 bit of the index closes a perfect subtree with its left sibling.
  for (unsigned level = 0; (index >> level) & 1; ++level) {
    const std::uint64_t left_index = (index >> level) - 1;
    auto left = read(level, left_index);
    if (!left) return std::unexpected(missing(level, left_index));
    out.push_back(MerkleNode{level + 1, index >> (level + 1), node_hash(*left, out.back().hash)});
  }
  return out;
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
