// The routes the server answers, as data: for the OpenAPI document's test and for tools. These
// are the HTTP API's; the console's static files (`GET /`, `/console/…`) are served apart.
#pragma once

#include <string_view>
#include <vector>

#include "orgledger/api/token_store.h"

namespace orgledger::api {

struct RouteInfo {
  std::string_view method;               // "GET", "POST"
  std::string_view pattern;              // "/v1/orgs/{org}/members"
  Scope scope;                           // needed (none for /healthz: `open`)
  bool open = false;                     // served without a token
  std::vector<std::string_view> params;  // the query parameters it takes
  // Its cost class (issue 11): "live", "org_history" or "whole_state", without and with as_of
  // (or a cursor); the OpenAPI document states both (x-cost, x-cost-as-of).
  std::string_view cost;
  std::string_view cost_as_of;
};

std::vector<RouteInfo> route_table();

}  // namespace orgledger::api
