// GET / and GET /console/<file>: the browser console's files, embedded in the binary (issue 16).
// No token: the page asks for one and sends it in the Authorization header of its API requests.
#include "orgledger/console/files.h"
#include "router.h"

namespace orgledger::api {
namespace {

// Only the console's own files run or load: no inline script or style (the page has none), no
// other origin, no framing (clickjacking), no plugins; the API requests go to this origin.
constexpr std::string_view kContentSecurityPolicy =
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

// RFC 9110 §13.1.2: If-None-Match lists validators ("*" is any); weak comparison ("W/" aside).
bool client_has(std::string_view if_none_match, std::string_view etag) {
  while (!if_none_match.empty()) {
    const auto comma = if_none_match.find(',');
    auto item = if_none_match.substr(0, comma);
    while (item.starts_with(' ') || item.starts_with('\t')) item.remove_prefix(1);
    while (item.ends_with(' ') || item.ends_with('\t')) item.remove_suffix(1);
    if (item.starts_with("W/")) item.remove_prefix(2);
    if (item == "*" || item == etag) return true;
    if (comma == std::string_view::npos) break;
    if_none_match.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

void get_console_file(Call& call, Reply reply) {
  // match_route() routes only embedded files here; a miss would be a bug, answered as an unknown path.
  const auto file = console::console_file(call.path_params.at(0));
  if (!file) return reply(problem_response(404, "not_found", "no route " + call.request.path));
  HttpResponse response;
  response.content_type = std::string(file->content_type);
  // no-cache: the browser keeps the file but asks each time whether it is still current (the ETag
  // changes with the bytes), so a new binary's console is never mixed with an old one's.
  response.headers = {{"Cache-Control", "no-cache"},
                      {"ETag", std::string(file->etag)},
                      {"Content-Security-Policy", std::string(kContentSecurityPolicy)},
                      {"X-Content-Type-Options", "nosniff"},
                      {"Referrer-Policy", "no-referrer"},
                      {"X-Frame-Options", "DENY"}};
  if (client_has(call.request.if_none_match, file->etag)) {
    response.status = 304;  // the client's copy is current: no body (RFC 9110 §15.4.5)
  } else {
    response.body = std::string(file->bytes);
  }
  reply(std::move(response));
}

}  // namespace orgledger::api
