// The OpenAPI document in the repository (api/openapi.json) is kept true: every route the router
// serves is in it with its method, and it documents no route the router lacks.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "orgledger/api/routes.h"

using namespace orgledger;

TEST_CASE("OpenAPI: every route of the router is documented, and nothing else") {
  std::ifstream file(ORGLEDGER_OPENAPI);
  REQUIRE(file);
  std::stringstream text;
  text << file.rdbuf();
  const auto document = nlohmann::json::parse(text.str());
  CHECK(document["openapi"].get<std::string>().starts_with("3."));
  REQUIRE(document["paths"].is_object());

  std::set<std::pair<std::string, std::string>> served;
  for (const auto& route : api::route_table()) {
    std::string method(route.method);
    std::transform(method.begin(), method.end(), method.begin(), [](unsigned char c) { return std::tolower(c); });
    served.emplace(std::string(route.pattern), method);
    INFO(route.method << " " << route.pattern);
    REQUIRE(document["paths"].contains(std::string(route.pattern)));
    const auto& operation = document["paths"][std::string(route.pattern)];
    REQUIRE(operation.contains(method));
    // Its query parameters are documented too.
    std::set<std::string> documented;
    for (const auto& parameter : operation[method].value("parameters", nlohmann::json::array())) {
      if (parameter.value("in", "") == "query") documented.insert(parameter["name"].get<std::string>());
    }
    for (auto param : route.params) CHECK(documented.contains(std::string(param)));
    // A route with a token has a scope; an open one says it needs none.
    if (route.open) CHECK(operation[method]["security"] == nlohmann::json::array());
    // Its cost class (issue 11), without and with as_of, as the router runs it.
    CHECK(operation[method].value("x-cost", "") == route.cost);
    CHECK(operation[method].value("x-cost-as-of", "") == route.cost_as_of);
  }
  for (const auto& [path, item] : document["paths"].items()) {
    for (const auto& [method, _] : item.items()) {
      if (method == "parameters" || method == "summary" || method == "description") continue;
      INFO(method << " " << path);
      CHECK(served.contains({path, method}));
    }
  }
}
