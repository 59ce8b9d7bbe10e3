// POST /v1/commands (API.md): one command per request, answered once its events are durable.
#include <nlohmann/json.hpp>

#include "metrics.h"
#include "orgledger/api/command_json.h"
#include "router.h"

namespace orgledger::api {

void post_command(Call& call, Reply reply) {
  auto json = parse_json_object(call.request.body);
  if (!json) return reply(problem_response(400, "invalid_argument", json.error()));
  auto command = parse_command(*json);
  if (!command) return reply(problem_response(400, "invalid_argument", command.error()));
  const bool may_write = call.token.allows(Scope::write);
  if (!may_write && !command->command_id.empty()) {
    // A repeated command id would get the first answer (idempotency): not for a token that may
    // not write. Refused, and not recorded again.
    auto known = call.services.ledger.find_command(command->command_id);
    if (!known || *known) {
      return reply(problem_response(403, "forbidden", "token '" + call.token.name + "' has no write scope", "D2"));
    }
  }
  auto& metrics = call.services.metrics;
  auto answer = [reply = std::move(reply), &metrics](commands::Outcome outcome) {
    if (outcome) return reply(json_response(200, answer_json(*outcome)));
    if (outcome.error().rejection) metrics.rejection(commands::to_string(outcome.error().rejection->code));
    reply(problem_response(outcome.error()));
  };
  if (!may_write) {
    // D2: a well-formed command whose token may not write is refused, and the refusal recorded.
    call.services.processor.submit_refused(
        std::move(*command),
        commands::reject(commands::Code::forbidden, "D2", "token '" + call.token.name + "' has no write scope"),
        std::move(answer));
    return;
  }
  call.services.processor.submit(std::move(*command), std::move(answer));
}

}  // namespace orgledger::api
