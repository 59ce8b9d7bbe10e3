// GET /healthz and GET /metrics.
#include <nlohmann/json.hpp>

#include "costly_pool.h"
#include "metrics.h"
#include "query_state.h"
#include "router.h"

namespace orgledger::api {

void get_healthz(Call& call, Reply reply) {
  // The log is open (this process holds it) and writable unless a write failed (fail-stop).
  if (auto failure = call.services.ledger.failure()) {
    return reply(problem_response(503, "unavailable", "the log stopped taking writes: " + failure->message));
  }
  // Writable means commands are taken: not before the state is rebuilt.
  if (call.services.processor() == nullptr) return reply(starting_response(call.services));
  Json out;
  out["ok"] = true;
  out["head"] = call.services.ledger.head().position;
  reply(json_response(200, out));
}

void get_metrics(Call& call, Reply reply) {
  HttpResponse response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = call.services.metrics.render(call.services.ledger);
  if (const auto* costly = call.services.costly) {
    response.body += "# HELP orgledger_costly_queued Whole-state requests waiting for a thread of the costly pool.\n";
    response.body += "# TYPE orgledger_costly_queued gauge\n";
    response.body += "orgledger_costly_queued " + std::to_string(costly->queued()) + "\n";
  }
  if (const auto* rungs = call.services.org_folds) {
    // Each rung owns a copy of one organization: the rungs are bounded in count and in estimated bytes.
    response.body += "# HELP orgledger_as_of_rungs Folds of an organization kept for as-of answers (org_fold_rungs.h).\n";
    response.body += "# TYPE orgledger_as_of_rungs gauge\n";
    response.body += "orgledger_as_of_rungs " + std::to_string(rungs->rungs()) + "\n";
    response.body += "# HELP orgledger_as_of_rungs_bytes Their estimated memory, bounded (OrgFoldRungs::Options::max_bytes).\n";
    response.body += "# TYPE orgledger_as_of_rungs_bytes gauge\n";
    response.body += "orgledger_as_of_rungs_bytes " + std::to_string(rungs->rungs_bytes()) + "\n";
  }
  if (const auto* cluster = call.services.cluster) {
    response.body += "# HELP orgledger_cluster_lag_positions Positions this node is behind the replicated log's last group.\n";
    response.body += "# TYPE orgledger_cluster_lag_positions gauge\n";
    response.body += "orgledger_cluster_lag_positions " + std::to_string(cluster->lag()) + "\n";
    response.body += "# HELP orgledger_cluster_writer 1 on the node that holds the writer's lease.\n";
    response.body += "# TYPE orgledger_cluster_writer gauge\n";
    response.body += std::string("orgledger_cluster_writer ") + (cluster->is_writer() ? "1" : "0") + "\n";
  }
  reply(std::move(response));
}

}  // namespace orgledger::api
