// GET /v1/tree/* (API.md "The Merkle tree and signed checkpoints"): public, as a transparency log
// is — no token, but the same connection gate and limits as every route. Proofs are O(log n)
// reads of stored nodes, so they run on the I/O thread like any live answer.
#include <charconv>
#include <nlohmann/json.hpp>

#include "orgledger/ledger/base64.h"
#include "orgledger/ledger/checkpointer.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/merkle.h"
#include "router.h"

namespace orgledger::api {
namespace {

// A positive integer no greater than the head; nullopt (and a problem sent) otherwise.
std::optional<std::uint64_t> size_param(Call& call, Reply& reply, std::string_view name, std::uint64_t head) {
  const auto text = call.query.get(name);
  std::uint64_t value = 0;
  const auto [end, error] = text ? std::from_chars(text->data(), text->data() + text->size(), value)
                                 : std::from_chars_result{nullptr, std::errc::invalid_argument};
  if (!text || text->empty() || error != std::errc() || end != text->data() + text->size() || value == 0) {
    reply(problem_response(400, "invalid_argument", std::string(name) + " is a positive integer" +
                                                        (text ? ", not '" + *text + "'" : ", and it is required")));
    return std::nullopt;
  }
  if (value > head) {
    reply(problem_response(400, "invalid_argument",
                           std::string(name) + " " + *text + " lies beyond the head (" + std::to_string(head) + ")"));
    return std::nullopt;
  }
  return value;
}

Json hex_list(const std::vector<ledger::Hash>& hashes) {
  Json out = Json::array();
  for (const auto& hash : hashes) out.push_back(ledger::to_hex(hash));
  return out;
}

HttpResponse ledger_problem(const ledger::Error& error) {
  if (error.code == ledger::ErrorCode::invalid_argument) return problem_response(400, "invalid_argument", error.message);
  return problem_response(503, "unavailable", error.message);
}

HttpResponse no_signer() {
  return problem_response(404, "not_found", "this server signs no checkpoints");
}

}  // namespace

void get_tree_checkpoint(Call& call, Reply reply) {
  const auto* signer = call.services.checkpoints;
  if (signer == nullptr) return reply(no_signer());
  auto latest = signer->latest();
  if (!latest) return reply(problem_response(404, "not_found", "no checkpoint yet: the log is empty"));
  HttpResponse response;
  response.content_type = "text/plain; charset=utf-8";
  response.body = std::move(*latest);
  reply(std::move(response));
}

void get_tree_inclusion(Call& call, Reply reply) {
  auto& ledger = call.services.ledger;
  const auto head = ledger.head().position;
  const auto position = size_param(call, reply, "position", head);
  if (!position) return;
  // API.md: the latest checkpoint's size, so the proof pairs with a signed root; the head when
  // the position came after it (the checkpoint is at most a second behind).
  std::uint64_t tree_size = call.services.checkpoints ? call.services.checkpoints->latest_size() : 0;
  if (call.query.has("tree_size")) {
    auto given = size_param(call, reply, "tree_size", head);
    if (!given) return;
    tree_size = *given;
  } else if (tree_size < *position) {
    tree_size = head;
  }
  if (*position > tree_size) {
    return reply(problem_response(400, "invalid_argument", "position " + std::to_string(*position) +
                                                               " is not in the tree of size " + std::to_string(tree_size)));
  }
  auto event = ledger.read(*position, 1);
  if (!event || event->empty()) return reply(ledger_problem(event ? ledger::Error{ledger::ErrorCode::io_error, "event missing"} : event.error()));
  const auto envelope = event->front().envelope_bytes();
  auto root = ledger.tree_root(tree_size);
  auto path = ledger.inclusion_proof(*position - 1, tree_size);
  if (!root) return reply(ledger_problem(root.error()));
  if (!path) return reply(ledger_problem(path.error()));
  Json out;
  out["position"] = *position;
  out["leaf_index"] = *position - 1;
  out["tree_size"] = tree_size;
  out["leaf_hash"] = ledger::to_hex(ledger::leaf_hash(envelope));
  out["root_hash"] = ledger::to_hex(*root);
  out["path"] = hex_list(*path);
  reply(json_response(200, out));
}

void get_tree_consistency(Call& call, Reply reply) {
  auto& ledger = call.services.ledger;
  const auto head = ledger.head().position;
  const auto from = size_param(call, reply, "from", head);
  if (!from) return;
  const auto to = size_param(call, reply, "to", head);
  if (!to) return;
  if (*from > *to) return reply(problem_response(400, "invalid_argument", "from is greater than to"));
  auto from_root = ledger.tree_root(*from);
  auto to_root = ledger.tree_root(*to);
  auto path = ledger.consistency_proof(*from, *to);
  if (!from_root) return reply(ledger_problem(from_root.error()));
  if (!to_root) return reply(ledger_problem(to_root.error()));
  if (!path) return reply(ledger_problem(path.error()));
  Json out;
  out["from"] = *from;
  out["to"] = *to;
  out["from_root"] = ledger::to_hex(*from_root);
  out["to_root"] = ledger::to_hex(*to_root);
  out["path"] = hex_list(*path);
  reply(json_response(200, out));
}

void get_tree_public_key(Call& call, Reply reply) {
  const auto* signer = call.services.checkpoints;
  if (signer == nullptr) return reply(no_signer());
  Json out;
  out["origin"] = signer->origin();
  out["public_key"] = ledger::base64(std::span<const std::uint8_t>(signer->public_key()));
  out["verifier_key"] = signer->verifier_key();
  reply(json_response(200, out));
}

}  // namespace orgledger::api
