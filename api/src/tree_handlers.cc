// GET /v1/tree/* (API.md "The Merkle tree and signed checkpoints"): public, as a transparency log
// is — no token, but the same connection gate and a rate limit per address. Proofs are O(log n)
// reads of stored nodes, so they run on the I/O thread like any live answer.
#include <nlohmann/json.hpp>

#include "orgledger/api/tree_json.h"
#include "orgledger/ledger/base64.h"
#include "orgledger/ledger/checkpointer.h"
#include "router.h"

namespace orgledger::api {
namespace {

HttpResponse proof_response(const std::expected<nlohmann::json, ledger::Error>& proof) {
  if (proof) return json_response(200, *proof);
  if (proof.error().code == ledger::ErrorCode::invalid_argument) return problem_response(400, "invalid_argument", proof.error().message);
  return problem_response(503, "unavailable", proof.error().message);
}

HttpResponse missing(std::string_view name) {
  return problem_response(400, "invalid_argument", std::string(name) + " is required");
}

HttpResponse no_signer() { return problem_response(404, "not_found", "this server signs no checkpoints"); }

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
  const auto position = positive_integer_param(call.query, "position");
  const auto tree_size = positive_integer_param(call.query, "tree_size");
  if (!position) return reply(problem_response(400, "invalid_argument", position.error()));
  if (!tree_size) return reply(problem_response(400, "invalid_argument", tree_size.error()));
  if (!*position) return reply(missing("position"));
  const auto signed_size = call.services.checkpoints ? call.services.checkpoints->latest_size() : 0;
  reply(proof_response(inclusion_proof_json(call.services.ledger, **position, *tree_size, signed_size)));
}

void get_tree_consistency(Call& call, Reply reply) {
  const auto from = positive_integer_param(call.query, "from");
  const auto to = positive_integer_param(call.query, "to");
  if (!from) return reply(problem_response(400, "invalid_argument", from.error()));
  if (!to) return reply(problem_response(400, "invalid_argument", to.error()));
  if (!*from) return reply(missing("from"));
  if (!*to) return reply(missing("to"));
  reply(proof_response(consistency_proof_json(call.services.ledger, **from, **to)));
}

void get_tree_public_key(Call& call, Reply reply) {
  const auto* signer = call.services.checkpoints;
  if (signer == nullptr) return reply(no_signer());
  nlohmann::json out;
  out["origin"] = signer->origin();
  out["public_key"] = ledger::base64(std::span<const std::uint8_t>(signer->public_key()));
  out["verifier_key"] = signer->verifier_key();
  reply(json_response(200, out));
}

}  // namespace orgledger::api
