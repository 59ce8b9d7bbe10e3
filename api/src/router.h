// The routes of API.md: method, path pattern, the scope a token needs, the query parameters a
// route takes (any other is invalid_argument), where it runs, and its handler. The table is the
// one source of truth: the session dispatches with it, and a test checks the OpenAPI document
// against it.
#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "http_message.h"
#include "orgledger/commands/command_ids.h"
#include "orgledger/api/server.h"
#include "orgledger/api/token_store.h"
#include "request_input.h"

namespace orgledger::replay {
class OrgFoldRungs;
}  // namespace orgledger::replay

namespace orgledger::api {

class CostlyPool;

class AsOfCache;
class Metrics;
class RateLimiter;

// What handlers reach: the server's parts, all thread-safe.
struct Services {
  ledger::Ledger& ledger;
  // Null while `serve` still rebuilds the state (issue 15: it answers before): see processor().
  std::atomic<commands::CommandProcessor*> ready_processor;
  TokenStore& tokens;
  const projections::BusinessCalendar& calendar;
  const ledger::Clock& clock;
  Metrics& metrics;
  RateLimiter& refusal_limiter;  // D2: recorded refusals of tokens without write, per token
  std::size_t body_limit = 1 << 20;  // API.md: every command's body but SubmitIdentityDocuments' (K2)
  std::string data_directory;  // for whole-log verification (a read-only open beside the writer)
  std::atomic<bool> verifying{false};
  AsOfCache* as_of_cache = nullptr;  // whole states as of past positions; null: none
  replay::OrgFoldRungs* org_folds = nullptr;  // one organization as of a past point; null: fold all of it
  const ledger::Checkpointer* checkpoints = nullptr;  // the signer of /v1/tree/checkpoint; null: none
  const CostlyPool* costly = nullptr;                 // for /metrics: its queue's depth
  const ClusterRole* cluster = nullptr;               // issue 18: null on a single node
  vault::Vault* vault = nullptr;                      // before the processor is ready (G3)
  std::unique_ptr<commands::CommandIds> command_ids;  // for commands that came without one

  // The processor, or null while its state is rebuilt: then commands and live questions that the
  // log alone cannot answer get starting_response() (query_state.h).
  commands::CommandProcessor* processor() const { return ready_processor.load(std::memory_order_acquire); }
  // The vault that opens personal data for G3.
  vault::Vault& personal_vault() const {
    auto* ready = processor();
    return ready != nullptr ? ready->vault() : *vault;
  }
};

struct Call {
  const HttpRequest& request;
  std::vector<std::string> path_params;  // decoded, in the pattern's order
  QueryParams query;
  const TokenInfo& token;
  Services& services;
  // Set when the client left (costly work only, issue 11): a fold that sees it stops early.
  const std::atomic<bool>* cancelled = nullptr;
};

using Reply = std::function<void(HttpResponse)>;  // called exactly once, from any thread

enum class Work {
  answer,  // one request, one answer, run where its cost class says
  stream,  // Server-Sent Events: the session hands the connection to a subscriber
  open,    // a live answer that needs no token (/healthz, /v1/tree/*)
};

// What a request may cost, and so where it runs (issue 11, "costly queries held in check"):
enum class Cost {
  live,         // a lookup or check on the live state, or a command: on the I/O thread
  org_history,  // one organization's history (replay/org_fold.h): on the worker pool
  whole_state,  // the whole log or a whole past state: on the costly pool (bounded queue, a
                // per-token share, cancelled when its client leaves)
};

struct Route {
  std::string_view method;
  std::string_view pattern;  // "/v1/orgs/{org}/members"
  Scope scope;
  std::vector<std::string_view> params;
  Work work;
  Cost cost;        // without as_of or cursor
  Cost cost_as_of;  // with as_of, or a cursor (which pins a past position)
  void (*handle)(Call& call, Reply reply);  // null for Work::stream
  // The handler checks the scope itself: POST /v1/commands records a refused write (D2).
  bool handler_checks_scope = false;
};

std::span<const Route> routes();

// The console's static files (issue 16): `GET /` is its page, `GET /console/<file>` what the page
// loads, answered from the files embedded in the binary (orgledger/console/files.h). They need no
// token (API.md) and are not in routes(): that table is the HTTP API, which api/openapi.json
// describes; these are files of a web page, which API.md lists apart ("the console's static
// files"). match_route() finds them first; a path under /console/ that names no embedded file is
// an unknown route like any other (404).
const Route& console_route();

// The cost class of a request to `route` with `query`.
Cost cost_of(const Route& route, const QueryParams& query);

struct RouteMatch {
  const Route* route = nullptr;  // null: no route for this method and path
  bool path_exists = false;      // the path exists with another method (405)
  std::vector<std::string> path_params;
};
RouteMatch match_route(std::string_view method, std::string_view path);

// Handlers (one file per group of routes).
void post_command(Call& call, Reply reply);
void get_org(Call& call, Reply reply);
void get_members(Call& call, Reply reply);
void get_teams(Call& call, Reply reply);
void get_renewals(Call& call, Reply reply);
void get_partners(Call& call, Reply reply);
void get_support_grants(Call& call, Reply reply);
void get_check(Call& call, Reply reply);
void get_abuse_reports(Call& call, Reply reply);
void get_abuse_report(Call& call, Reply reply);
void get_user(Call& call, Reply reply);
void get_identity_verification(Call& call, Reply reply);
void get_order(Call& call, Reply reply);
void get_events(Call& call, Reply reply);
void get_verify(Call& call, Reply reply);
void get_access_history(Call& call, Reply reply);
void get_who_can(Call& call, Reply reply);
void get_what_can(Call& call, Reply reply);
void get_healthz(Call& call, Reply reply);
void get_tree_checkpoint(Call& call, Reply reply);
void get_tree_inclusion(Call& call, Reply reply);
void get_tree_consistency(Call& call, Reply reply);
void get_tree_public_key(Call& call, Reply reply);
void get_metrics(Call& call, Reply reply);
void get_console_file(Call& call, Reply reply);  // path_params: the file's path within console/

}  // namespace orgledger::api
