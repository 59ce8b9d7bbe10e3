#include "orgledger/api/tree_json.h"

#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/merkle.h"
#include "orgledger/ledger/proof_check.h"

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

namespace {

using FieldNames = std::initializer_list<std::string_view>;

// Exactly `names`, no other field.
std::expected<void, std::string> has_exactly(const nlohmann::json& proof, FieldNames names) {
  for (auto name : names) {
    if (!proof.contains(name)) return std::unexpected("the proof has no \"" + std::string(name) + "\"");
  }
  if (proof.size() != names.size()) return std::unexpected("the proof has fields beyond " + std::to_string(names.size()));
  return {};
}

std::expected<std::uint64_t, std::string> count(const nlohmann::json& proof, std::string_view name) {
  const auto& value = proof.at(name);
  if (!value.is_number_unsigned()) return std::unexpected("\"" + std::string(name) + "\" is not a whole number");
  return value.get<std::uint64_t>();
}

std::expected<ledger::Hash, std::string> hash(const nlohmann::json& value, std::string_view name) {
  if (!value.is_string()) return std::unexpected("\"" + std::string(name) + "\" is not a string");
  const auto& text = value.get_ref<const std::string&>();
  auto parsed = ledger::hash_from_hex(text);
  // to_hex writes lowercase: another spelling is not the server's answer.
  if (!parsed || ledger::to_hex(*parsed) != text) return std::unexpected("\"" + std::string(name) + "\" is not 64 lowercase hex digits");
  return *parsed;
}

std::expected<std::vector<ledger::Hash>, std::string> path_of(const nlohmann::json& proof) {
  const auto& path = proof.at("path");
  if (!path.is_array()) return std::unexpected("\"path\" is not an array");
  if (path.size() > 64) return std::unexpected("\"path\" is longer than any tree of 2^64 leaves needs");
  std::vector<ledger::Hash> hashes;
  for (const auto& node : path) {
    auto parsed = hash(node, "path");
    if (!parsed) return std::unexpected(parsed.error());
    hashes.push_back(*parsed);
  }
  return hashes;
}

std::expected<void, std::string> check_inclusion(const nlohmann::json& proof) {
  if (auto fields = has_exactly(proof, {"position", "leaf_index", "tree_size", "leaf_hash", "root_hash", "path"}); !fields) {
    return fields;
  }
  auto position = count(proof, "position");
  auto index = count(proof, "leaf_index");
  auto size = count(proof, "tree_size");
  auto leaf = hash(proof.at("leaf_hash"), "leaf_hash");
  auto root = hash(proof.at("root_hash"), "root_hash");
  auto path = path_of(proof);
  for (const auto* error : {position ? nullptr : &position.error(), index ? nullptr : &index.error(),
                            size ? nullptr : &size.error(), leaf ? nullptr : &leaf.error(),
                            root ? nullptr : &root.error(), path ? nullptr : &path.error()}) {
    if (error) return std::unexpected(*error);
  }
  // API.md: leaf i is the event at position i + 1.
  if (*position == 0 || *index != *position - 1) return std::unexpected("\"leaf_index\" is not \"position\" - 1");
  if (!ledger::inclusion_verifies(*leaf, *index, *size, *path, *root)) return std::unexpected("the inclusion proof does not verify");
  return {};
}

std::expected<void, std::string> check_consistency(const nlohmann::json& proof) {
  if (auto fields = has_exactly(proof, {"from", "to", "from_root", "to_root", "path"}); !fields) return fields;
  auto from = count(proof, "from");
  auto to = count(proof, "to");
  auto from_root = hash(proof.at("from_root"), "from_root");
  auto to_root = hash(proof.at("to_root"), "to_root");
  auto path = path_of(proof);
  for (const auto* error : {from ? nullptr : &from.error(), to ? nullptr : &to.error(),
                            from_root ? nullptr : &from_root.error(), to_root ? nullptr : &to_root.error(),
                            path ? nullptr : &path.error()}) {
    if (error) return std::unexpected(*error);
  }
  if (!ledger::consistency_verifies(*from, *to, *from_root, *to_root, *path)) {
    return std::unexpected("the consistency proof does not verify");
  }
  return {};
}

}  // namespace

std::expected<void, std::string> check_proof_json(const nlohmann::json& proof) {
  if (!proof.is_object()) return std::unexpected("the proof is not a JSON object");
  return proof.contains("leaf_hash") ? check_inclusion(proof) : check_consistency(proof);
}

}  // namespace orgledger::api
