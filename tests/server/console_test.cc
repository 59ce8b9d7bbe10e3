// The browser console's files over HTTP (issue 16): served without a token at `/` and
// `/console/…`, byte for byte as in console/, with their content type, a validator, and a
// Content-Security-Policy that allows the console's own files only; the API still needs a token.
#include <catch2/catch.hpp>

#include <fstream>
#include <regex>
#include <sstream>

#include "orgledger/api/routes.h"
#include "orgledger/console/files.h"
#include "test_server.h"

using namespace orgledger;
using testing::HttpClient;
using testing::TestServer;

namespace {

std::string source_file(std::string_view path) {
  std::ifstream file(std::string(ORGLEDGER_CONSOLE_DIR) + "/" + std::string(path), std::ios::binary);
  REQUIRE(file);
  std::stringstream bytes;
  bytes << file.rdbuf();
  return bytes.str();
}

}  // namespace

TEST_CASE("Console: GET / is the page, without a token, with a strict Content-Security-Policy") {
  TestServer server;
  HttpClient browser(server.port());  // no token
  const auto page = browser.get("/");
  REQUIRE(page.status == 200);
  CHECK(page.header("content-type") == "text/html; charset=utf-8");
  CHECK(page.body == source_file("index.html"));
  const auto policy = page.header("content-security-policy");
  CHECK(policy.find("default-src 'self'") != std::string::npos);
  CHECK(policy.find("script-src 'self';") != std::string::npos);
  CHECK(policy.find("unsafe-inline") == std::string::npos);
  CHECK(policy.find("frame-ancestors 'none'") != std::string::npos);
  CHECK(page.header("cache-control") == "no-cache");
  CHECK(page.header("x-content-type-options") == "nosniff");
  CHECK_FALSE(page.header("etag").empty());
  // The API beside it still wants a token.
  CHECK(browser.get("/v1/orgs/acme").status == 401);
}

TEST_CASE("Console: every embedded file is served at /console/ with its type, byte for byte") {
  TestServer server;
  HttpClient browser(server.port());
  REQUIRE(console::console_files().size() >= 5);
  for (const auto& file : console::console_files()) {
    INFO(file.path);
    const auto reply = browser.get("/console/" + std::string(file.path));
    REQUIRE(reply.status == 200);
    CHECK(reply.header("content-type") == file.content_type);
    CHECK(reply.body == source_file(file.path));
    CHECK(reply.header("etag") == file.etag);
    if (file.path.ends_with(".js")) CHECK(file.content_type == "text/javascript; charset=utf-8");
    if (file.path.ends_with(".css")) CHECK(file.content_type == "text/css; charset=utf-8");
  }
  CHECK(console::console_file("app.js"));
  CHECK(console::console_file("views/timeline.js"));
  CHECK_FALSE(console::console_file("CMakeLists.txt"));
  CHECK_FALSE(console::console_file("include/orgledger/console/files.h"));
}

TEST_CASE("Console: a copy that is still current is answered 304, without a body") {
  TestServer server;
  HttpClient browser(server.port());
  const auto first = browser.get("/console/app.js");
  REQUIRE(first.status == 200);
  const auto again = browser.request("GET", "/console/app.js", "", {"If-None-Match: " + first.header("etag")});
  CHECK(again.status == 304);
  CHECK(again.body.empty());
  CHECK(again.header("etag") == first.header("etag"));
  const auto stale = browser.request("GET", "/console/app.js", "", {"If-None-Match: \"0000000000000000\""});
  CHECK(stale.status == 200);
  CHECK(stale.body == first.body);
  // The connection is still good after a 304.
  CHECK(browser.get("/console/console.css").status == 200);
}

TEST_CASE("Console: unknown files are unknown routes - other methods are refused - no API route is added") {
  TestServer server;
  HttpClient browser(server.port());
  for (const char* path : {"/console/nope.js", "/console/", "/console/../api/openapi.json", "/console//app.js",
                           "/index.html", "/console/include/orgledger/console/files.h"}) {
    INFO(path);
    const auto reply = browser.get(path);
    CHECK(reply.status == 404);
    CHECK(reply.header("content-type") == "application/problem+json");
    CHECK(reply.json()["code"] == "not_found");
  }
  CHECK(browser.post("/", "{}").status == 405);
  CHECK(browser.request("DELETE", "/console/app.js", "").status == 405);
  // The console is files of a web page, not the HTTP API: api/openapi.json documents none of it.
  for (const auto& route : api::route_table()) {
    CHECK(route.pattern != "/");
    CHECK_FALSE(route.pattern.starts_with("/console"));
  }
}

TEST_CASE("Console: the page runs only files of its own - no inline script, style or handler") {
  // What the Content-Security-Policy would block must not be there to block.
  for (const auto& file : console::console_files()) {
    if (!file.path.ends_with(".html")) continue;
    INFO(file.path);
    const std::string html(file.bytes);
    const std::regex script("<script\\b([^>]*)>");
    for (auto it = std::sregex_iterator(html.begin(), html.end(), script); it != std::sregex_iterator(); ++it) {
      CHECK((*it)[1].str().find("src=") != std::string::npos);
    }
    CHECK_FALSE(std::regex_search(html, std::regex("<style\\b")));
    CHECK_FALSE(std::regex_search(html, std::regex("\\sstyle\\s*=")));
    CHECK_FALSE(std::regex_search(html, std::regex("\\son[a-z]+\\s*=")));
  }
  // No file loads anything from another origin (no CDN).
  for (const auto& file : console::console_files()) {
    INFO(file.path);
    CHECK(std::string(file.bytes).find("https://") == std::string::npos);
  }
}
