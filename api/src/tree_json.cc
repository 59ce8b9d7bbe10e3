#include "orgledger/api/tree_json.h"

#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/merkle.h"

namespace orgledger::api {
namespace {

std::optional<ledger::Error> out_of_range(std::string_view name, std::uint64_t value, std::uint64_t head) {
  if (value >= 1 && value <= head) return std::nullopt;
  return ledger::Error{ledger::ErrorCode::invalid_argument, std::string(name) + " " + std::to_string(value) +
                                                                " is not between 1 and the head (" + std::to_string(head) + ")"};
}

nlohmann::json hex_list(const std::vector<ledger::Hash>& hashes) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& hash : hashes) out.push_back(ledger::to_hex(hash));
  return out;
}

}  // namespace

std::expected<nlohmann::json, ledger::Error> inclusion_proof_json(const ledger::Ledger& ledger, std::uint64_t position,
                                                                  std::optional<std::uint64_t> tree_size,
                                                                  std::uint64_t signed_size) {
  const auto head = ledger.head().position;
  if (auto problem = out_of_range("position", position, head)) return std::unexpected(*problem);
  // The latest checkpoint's size pairs the proof with a signed root; an event newer than it (the
  // checkpoint is at most a second behind) is proven in the head's tree.
  const std::uint64_t size = tree_size.value_or(signed_size >= position ? signed_size : head);
  if (auto problem = out_of_range("tree_size", size, head)) return std::unexpected(*problem);
  if (position > size) {
    return std::unexpected(ledger::Error{ledger::ErrorCode::invalid_argument, "position " + std::to_string(position) +
                                                                               " is not in the tree of size " + std::to_string(size)});
  }
  auto event = ledger.read(position, 1);
  if (!event) return std::unexpected(event.error());
  if (event->empty()) return std::unexpected(ledger::Error{ledger::ErrorCode::corrupt, "event missing", position});
  auto root = ledger.tree_root(size);
  if (!root) return std::unexpected(root.error());
  auto path = ledger.inclusion_proof(position - 1, size);
  if (!path) return std::unexpected(path.error());
  nlohmann::json out;
  out["position"] = position;
  out["leaf_index"] = position - 1;
  out["tree_size"] = size;
  out["leaf_hash"] = ledger::to_hex(ledger::leaf_hash(event->front().envelope_bytes()));
  out["root_hash"] = ledger::to_hex(*root);
  out["path"] = hex_list(*path);
  return out;
}

std::expected<nlohmann::json, ledger::Error> consistency_proof_json(const ledger::Ledger& ledger, std::uint64_t from,
                                                                    std::uint64_t to) {
  const auto head = ledger.head().position;
  if (auto problem = out_of_range("from", from, head)) return std::unexpected(*problem);
  if (auto problem = out_of_range("to", to, head)) return std::unexpected(*problem);
  if (from > to) return std::unexpected(ledger::Error{ledger::ErrorCode::invalid_argument, "from is greater than to"});
  auto from_root = ledger.tree_root(from);
  if (!from_root) return std::unexpected(from_root.error());
  auto to_root = ledger.tree_root(to);
  if (!to_root) return std::unexpected(to_root.error());
  auto path = ledger.consistency_proof(from, to);
  if (!path) return std::unexpected(path.error());
  nlohmann::json out;
  out["from"] = from;
  out["to"] = to;
  out["from_root"] = ledger::to_hex(*from_root);
  out["to_root"] = ledger::to_hex(*to_root);
  out["path"] = hex_list(*path);
  return out;
}

}  // namespace orgledger::api
