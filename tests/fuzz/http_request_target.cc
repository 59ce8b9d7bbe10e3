// Fuzz target: what a client sends, through every step the session takes before a handler runs
// (http_session.cc): Beast's parser under the server's header and body limits, the request head,
// routing (path parameters decoded), the query against the route's parameters, and for POST
// /v1/commands the body as a command.
#include <utility>  // before Boost 1.74's Asio under C++23

#include <boost/beast/core/buffers_to_string.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/string_body.hpp>

#include "orgledger/api/command_json.h"
#include "orgledger/api/server.h"
#include "request_head.h"
#include "request_input.h"
#include "router.h"
#include "targets.h"

namespace orgledger::fuzz {

namespace http = boost::beast::http;

void http_request(std::span<const std::uint8_t> input) {
  const api::ServerOptions limits;
  http::request_parser<http::string_body> parser;
  parser.eager(true);
  parser.header_limit(static_cast<std::uint32_t>(limits.header_limit));
  parser.body_limit(std::max(limits.body_limit, limits.document_body_limit));
  boost::beast::error_code error;
  // Fed in two pieces, as a socket may deliver it: the parser must not care where it is cut.
  const std::size_t cut = input.empty() ? 0 : input[0] % (input.size() + 1);
  std::size_t used = parser.put(boost::asio::buffer(input.data(), cut), error);
  if (error == http::error::need_more) error = {};
  if (!error) {
    std::size_t more = 0;
    const auto* rest = input.data() + used;
    std::size_t left = input.size() - used;
    while (!error && left > 0 && !parser.is_done()) {
      more = parser.put(boost::asio::buffer(rest, left), error);
      if (error == http::error::need_more || more == 0) break;
      rest += more;
      left -= more;
    }
  }
  if (!parser.is_header_done()) return;

  auto request = api::request_head(parser.get());
  auto found = api::match_route(request.method, request.path);
  if (!found.route || !parser.is_done()) return;
  request.body = parser.get().body();
  (void)api::cost_of(*found.route, api::QueryParams{});
  auto query = api::parse_query(request.query, found.route->params);
  if (query) (void)api::cost_of(*found.route, *query);
  if (found.route->handle == api::post_command) {
    if (auto object = api::parse_json_object(request.body)) (void)api::parse_command(*object);
  }
}

}  // namespace orgledger::fuzz
