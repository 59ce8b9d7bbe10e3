// The OpenAPI document in the repository (api/openapi.json) is kept true: every route the router
// serves is in it with its method, and it documents no route the router lacks; every command type
// the parser knows has one request schema with exactly the fields the parser reads. (That the
// document passes an independent linter, and that what the server accepts and answers validates
// against it, is tested by tools/openapi/lint.sh and tests/openapi/, ctest label "openapi".)
#include <catch2/catch.hpp>

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "orgledger/api/command_json.h"
#include "orgledger/api/routes.h"

using namespace orgledger;

namespace {

nlohmann::json load_document() {
  std::ifstream file(ORGLEDGER_OPENAPI);
  REQUIRE(file);
  std::stringstream text;
  text << file.rdbuf();
  return nlohmann::json::parse(text.str());
}

std::set<std::string> keys_of(const nlohmann::json& object) {
  std::set<std::string> out;
  for (const auto& [key, _] : object.items()) out.insert(key);
  return out;
}

std::set<std::string> strings_of(const nlohmann::json& array) {
  std::set<std::string> out;
  for (const auto& item : array) out.insert(item.get<std::string>());
  return out;
}

// The schema a "#/components/schemas/…" reference names.
const nlohmann::json& schema_at(const nlohmann::json& document, const std::string& reference) {
  const std::string prefix = "#/components/schemas/";
  REQUIRE(reference.starts_with(prefix));
  return document.at("components").at("schemas").at(reference.substr(prefix.size()));
}

}  // namespace

TEST_CASE("OpenAPI: every route of the router is documented, and nothing else") {
  const auto document = load_document();
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

TEST_CASE("OpenAPI: one request schema per command type, with the fields the parser reads") {
  const auto document = load_document();
  CHECK(document.at("info").at("license").at("name").is_string());
  const auto& post = document.at("paths").at("/v1/commands").at("post");
  const auto& body = post.at("requestBody").at("content").at("application/json").at("schema");
  REQUIRE(body.value("$ref", "") == "#/components/schemas/Command");
  const auto& command = schema_at(document, body.at("$ref").get<std::string>());
  REQUIRE(command.at("discriminator").at("propertyName") == "type");
  const auto& mapping = command.at("discriminator").at("mapping");
  std::set<std::string> one_of;
  for (const auto& item : command.at("oneOf")) one_of.insert(item.at("$ref").get<std::string>());

  const auto shapes = api::command_shapes();
  CHECK(shapes.size() >= 45);
  CHECK(one_of.size() == shapes.size());
  CHECK(command.at("oneOf").size() == shapes.size());
  CHECK(mapping.size() == shapes.size());
  // Where the server refuses more than the parser: validation (commands/src/validate.cc) needs a
  // field the parser takes as optional ("nothing to update").
  const std::map<std::string, std::set<std::string>> required_by_validation{{"UpdateOrganizationDetails", {"name"}}};
  for (const auto& shape : shapes) {
    INFO(shape.type);
    REQUIRE(mapping.contains(shape.type));
    const auto reference = mapping.at(shape.type).get<std::string>();
    CHECK(one_of.contains(reference));
    const auto& schema = schema_at(document, reference);
    CHECK(schema.at("type") == "object");
    CHECK(schema.at("additionalProperties") == false);
    CHECK(schema.at("properties").at("type").at("enum") == nlohmann::json::array({shape.type}));
    CHECK(keys_of(schema.at("properties")) == shape.fields);
    auto required = shape.required;
    if (auto extra = required_by_validation.find(shape.type); extra != required_by_validation.end()) {
      required.insert(extra->second.begin(), extra->second.end());
    }
    CHECK(strings_of(schema.at("required")) == required);
  }

  // Its problems carry the command's fields (command_id, position, duplicate, outcome). A 307 (a
  // cluster's replica sends the client to the writer, issue 18) is no problem: its body names the writer.
  for (const auto& [status, response] : post.at("responses").items()) {
    INFO(status);
    if (status.starts_with("2") || status.starts_with("3") || response.contains("$ref")) continue;
    CHECK(response.at("content").at("application/problem+json").at("schema").value("$ref", "") ==
          "#/components/schemas/CommandProblem");
  }
}
