// POST /v1/commands (API.md): one command per request, answered once its events are durable.
// Every answer, success or problem, carries the command id it used (the client's, or one made
// here). The token's checks come right after invalid_argument and before every domain rule
// (DOMAIN.md D4): its `write` scope (D2), then whether it may act as the command's actor (D4).
#include <nlohmann/json.hpp>

#include "metrics.h"
#include "orgledger/api/command_json.h"
#include "orgledger/commands/decide.h"
#include "query_state.h"
#include "rate_limiter.h"
#include "router.h"

namespace orgledger::api {
namespace {

HttpResponse with_command_id(HttpResponse response, const std::string& command_id) {
  auto body = Json::parse(response.body, nullptr, false);
  if (!body.is_object()) return response;
  body["command_id"] = command_id;
  response.body = body.dump(-1, ' ', false, Json::error_handler_t::replace);
  return response;
}

// The command id of a body that could not be parsed as a command: the client's when it gave a
// readable one, else a new one (so that every answer names one).
std::string command_id_of(const nlohmann::json* json, commands::CommandIds& ids) {
  if (json != nullptr && json->contains("command_id") && (*json)["command_id"].is_string()) {
    return (*json)["command_id"].get<std::string>();
  }
  return ids.next();
}

// Why the token may not submit this command, as the refusal D2 records; nullopt when it may.
std::optional<commands::Rejection> token_refusal(const TokenInfo& token, const commands::Command& command) {
  if (!token.allows(Scope::write)) {
    return commands::reject(commands::Code::forbidden, "D2", "token '" + token.name + "' has no write scope");
  }
  if (!token.may_act_as(command.actor)) {
    return commands::reject(commands::Code::forbidden, "D4",
                            "token '" + token.name + "' of " + token.principal + " may not act as " + command.actor);
  }
  return std::nullopt;
}

// Issue 18: a replica takes no command; the client is sent to the writer with its body (307 keeps
// the method and the body), or told to retry while no writer is known.
std::optional<HttpResponse> not_the_writer(const Services& services) {
  if (services.cluster == nullptr || services.cluster->is_writer()) return std::nullopt;
  const std::string writer = services.cluster->writer_url();
  if (writer.empty()) {
    auto response = problem_response(503, "unavailable", "this node is a replica and no writer is elected yet");
    response.headers.emplace_back("Retry-After", "1");
    return response;
  }
  HttpResponse response;
  response.status = 307;
  response.body = Json{{"writer", writer}}.dump();
  response.headers.emplace_back("Location", writer + "/v1/commands");
  return response;
}

}  // namespace

void post_command(Call& call, Reply reply) {
  if (auto redirect = not_the_writer(call.services)) return reply(std::move(*redirect));
  auto& ids = *call.services.command_ids;
  auto json = parse_json_object(call.request.body);
  // K2: only SubmitIdentityDocuments may be over the usual limit (up to document_body_limit); a
  // body over it that is not one, malformed ones included, is payload_too_large.
  if (call.request.body.size() > call.services.body_limit &&
      !(json && json->contains("type") && (*json)["type"] == "SubmitIdentityDocuments")) {
    return reply(with_command_id(
        problem_response(413, "payload_too_large",
                         "the body is over " + std::to_string(call.services.body_limit) +
                             " bytes (only SubmitIdentityDocuments may reach the larger limit)"),
        command_id_of(json ? &*json : nullptr, ids)));
  }
  if (!json) {
    return reply(with_command_id(problem_response(400, "invalid_argument", json.error()), command_id_of(nullptr, ids)));
  }
  auto command = parse_command(*json);
  if (!command) {
    return reply(with_command_id(problem_response(400, "invalid_argument", command.error()), command_id_of(&*json, ids)));
  }
  if (command->command_id.empty()) command->command_id = ids.next();
  const std::string id = command->command_id;
  command->via = ledger::Via{call.token.principal, call.token.name};  // D4: who vouches for the actor
  // invalid_argument comes before the token's checks (D4), and leaves no entry.
  if (auto invalid = commands::validate(*command, call.services.clock.now())) {
    return reply(with_command_id(problem_response(400, "invalid_argument", invalid->detail, invalid->rule), id));
  }
  // Before the state is rebuilt nothing is taken, not even a refusal to record (D2): retry.
  auto* processor = call.services.processor();
  if (processor == nullptr) return reply(with_command_id(starting_response(call.services), id));
  auto refusal = token_refusal(call.token, *command);
  if (refusal) {
    // A repeated command id would get the first answer (idempotency): not for a token that may
    // not submit it. Refused, and not recorded again.
    auto known = call.services.ledger.find_command(id);
    if (!known || *known) return reply(with_command_id(problem_response(403, "forbidden", refusal->detail, refusal->rule), id));
  }
  if (refusal && !call.token.allows(Scope::write)) {
    // D2: a token without write has its refusals recorded only up to its rate, so that no
    // token can fill the log; beyond it, 429 and no entry.
    if (auto wait = call.services.refusal_limiter.admit(call.token.name, std::chrono::steady_clock::now())) {
      auto response = problem_response(429, "rate_limited",
                                       "token '" + call.token.name + "' is over its rate of recorded refusals");
      response.headers.emplace_back("Retry-After", std::to_string(wait->count()));
      return reply(with_command_id(std::move(response), id));
    }
  }
  auto& metrics = call.services.metrics;
  auto answer = [reply = std::move(reply), &metrics, id](commands::Outcome outcome) {
    if (!outcome && outcome.error().rejection) metrics.rejection(commands::to_string(outcome.error().rejection->code));
    if (outcome) return reply(json_response(200, outcome_json(outcome, id)));
    reply(with_command_id(problem_response(outcome.error()), id));
  };
  if (refusal) return processor->submit_refused(std::move(*command), std::move(*refusal), std::move(answer));
  processor->submit(std::move(*command), std::move(answer));
}

}  // namespace orgledger::api
