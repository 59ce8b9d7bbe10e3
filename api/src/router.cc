#include "router.h"

#include "orgledger/api/routes.h"
#include "orgledger/console/files.h"
#include "request_input.h"

namespace orgledger::api {
namespace {

// D3: every query takes as_of and at.
const std::vector<std::string_view> kOrgQuery{"as_of", "at"};

const std::vector<Route>& table() {
  using enum Cost;
  static const std::vector<Route> kRoutes{
      {"POST", "/v1/commands", Scope::write, {}, Work::answer, live, live, post_command, true},
      // One organization: as of a past point, only its streams are folded.
      {"GET", "/v1/orgs/{org}", Scope::read, kOrgQuery, Work::answer, live, org_history, get_org},
      {"GET", "/v1/orgs/{org}/members", Scope::read, kOrgQuery, Work::answer, live, org_history, get_members},
      {"GET", "/v1/orgs/{org}/teams", Scope::read, kOrgQuery, Work::answer, live, org_history, get_teams},
      // C5: both sides of the relations, so a whole past state for as_of.
      {"GET", "/v1/orgs/{org}/partners", Scope::read, kOrgQuery, Work::answer, live, whole_state, get_partners},
      {"GET", "/v1/orgs/{org}/renewals", Scope::read, kOrgQuery, Work::answer, live, org_history, get_renewals},
      {"GET", "/v1/orgs/{org}/support-grants", Scope::read, {"status", "as_of", "at"}, Work::answer, live, org_history,
       get_support_grants},
      {"GET",
       "/v1/check",
       Scope::read,
       {"org", "user", "action", "product", "scope", "resource", "explain", "as_of", "at"},
       Work::answer,
       live,
       org_history,
       get_check},
      // Abuse reports: as of a past point, every report's stream is folded (all of them: the costly
      // pool, as their history grows with the log) or one report's stream (its history alone).
      {"GET", "/v1/abuse-reports", Scope::read, {"status", "as_of", "at"}, Work::answer, live, whole_state,
       get_abuse_reports},
      {"GET", "/v1/abuse-reports/{report}", Scope::read, kOrgQuery, Work::answer, live, org_history, get_abuse_report},
      // U1/G3: a user and the organizations they belong to (a whole past state for as_of).
      {"GET", "/v1/users/{user}", Scope::read, kOrgQuery, Work::answer, live, whole_state, get_user},
      // K1–K5: one case or one order; as of a past point, only its own stream is folded.
      {"GET", "/v1/identity-verifications/{case}", Scope::read, kOrgQuery, Work::answer, live, org_history,
       get_identity_verification},
      {"GET", "/v1/orders/{order}", Scope::read, kOrgQuery, Work::answer, live, org_history, get_order},
      // The log itself: a scan, filtered or not, reads up to a page's worth of the log.
      {"GET", "/v1/events", Scope::audit, {"from", "limit", "stream", "actor", "type", "envelope"}, Work::answer, whole_state,
       whole_state, get_events},
      // A catch-up from position 1 reads the whole log (held in check by the per-token and total
      // subscriber caps; a subscriber reads only as fast as its client takes bytes).
      {"GET", "/v1/events/subscribe", Scope::audit, {"from"}, Work::stream, whole_state, whole_state, nullptr},
      {"GET", "/v1/verify", Scope::audit, {}, Work::answer, whole_state, whole_state, get_verify},
      {"GET", "/v1/access-history", Scope::audit, {"org", "product", "from", "to"}, Work::answer, org_history,
       org_history, get_access_history},
      {"GET", "/v1/who-can", Scope::read, {"org", "action", "product", "cursor", "limit", "as_of", "at"}, Work::answer,
       live, org_history, get_who_can},
      {"GET", "/v1/what-can", Scope::read, {"org", "user", "cursor", "limit", "as_of", "at"}, Work::answer, live,
       org_history, get_what_can},
      {"GET", "/healthz", Scope::read, {}, Work::open, live, live, get_healthz},
      // Public, as transparency logs are (issue 14).
      {"GET", "/v1/tree/checkpoint", Scope::read, {}, Work::open, live, live, get_tree_checkpoint},
      // Proofs read events (a leaf's hash is its event's, up to 6 MiB): on the worker pool.
      {"GET", "/v1/tree/inclusion", Scope::read, {"position", "tree_size"}, Work::open, org_history, org_history,
       get_tree_inclusion},
      {"GET", "/v1/tree/consistency", Scope::read, {"from", "to"}, Work::open, org_history, org_history,
       get_tree_consistency},
      {"GET", "/v1/tree/public-key", Scope::read, {}, Work::open, live, live, get_tree_public_key},
      {"GET", "/metrics", Scope::read, {}, Work::answer, live, live, get_metrics},
  };
  return kRoutes;
}

// Matches `path` against `pattern`, collecting the {…} segments (percent-decoded).
bool matches(std::string_view pattern, std::string_view path, std::vector<std::string>& params) {
  params.clear();
  while (!pattern.empty() || !path.empty()) {
    if (pattern.empty() || path.empty() || pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const auto pattern_end = pattern.find('/');
    const auto path_end = path.find('/');
    const auto want = pattern.substr(0, pattern_end);
    const auto got = path.substr(0, path_end);
    if (want.starts_with('{')) {
      if (got.empty()) return false;
      auto decoded = percent_decode_segment(got);
      if (!decoded) return false;
      params.push_back(std::move(*decoded));
    } else if (want != got) {
      return false;
    }
    pattern = pattern_end == std::string_view::npos ? std::string_view{} : pattern.substr(pattern_end);
    path = path_end == std::string_view::npos ? std::string_view{} : path.substr(path_end);
  }
  return true;
}

// The embedded console file a path names: "/" is the page itself, "/console/<file>" the others.
std::optional<std::string_view> console_path(std::string_view path) {
  constexpr std::string_view kPrefix = "/console/";
  std::string_view file;
  if (path == "/") {
    file = "index.html";
  } else if (path.starts_with(kPrefix)) {
    file = path.substr(kPrefix.size());
  } else {
    return std::nullopt;
  }
  if (!console::console_file(file)) return std::nullopt;
  return file;
}

}  // namespace

std::span<const Route> routes() { return table(); }

const Route& console_route() {
  static const Route kConsole{"GET", "/console/{file}", Scope::read, {}, Work::open, Cost::live, Cost::live,
                              get_console_file};
  return kConsole;
}

Cost cost_of(const Route& route, const QueryParams& query) {
  return query.has("as_of") || query.has("cursor") ? route.cost_as_of : route.cost;
}

RouteMatch match_route(std::string_view method, std::string_view path) {
  RouteMatch found;
  if (auto file = console_path(path)) {
    if (method != console_route().method) {
      found.path_exists = true;
      return found;
    }
    found.route = &console_route();
    found.path_params.emplace_back(*file);
    return found;
  }
  std::vector<std::string> params;
  for (const auto& route : table()) {
    if (!matches(route.pattern, path, params)) continue;
    // A literal segment beats a parameter: /v1/events/subscribe is not /v1/events/{…}.
    if (route.method == method) {
      found.route = &route;
      found.path_params = std::move(params);
      return found;
    }
    found.path_exists = true;
  }
  return found;
}

}  // namespace orgledger::api

namespace orgledger::api {

std::vector<RouteInfo> route_table() {
  std::vector<RouteInfo> out;
  auto name = [](Cost cost) -> std::string_view {
    switch (cost) {
      case Cost::live: return "live";
      case Cost::org_history: return "org_history";
      case Cost::whole_state: return "whole_state";
    }
    return "";
  };
  for (const auto& route : table()) {
    out.push_back({route.method, route.pattern, route.scope, route.work == Work::open, route.params, name(route.cost),
                   name(route.cost_as_of)});
  }
  return out;
}

}  // namespace orgledger::api
