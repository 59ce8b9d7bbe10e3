#include "query_state.h"

namespace orgledger::api {

std::expected<QueryPoint, HttpResponse> query_point(const Call& call) {
  QueryPoint point;
  if (auto text = call.query.get("as_of")) {
    point.as_of = parse_as_of(*text);
    if (!point.as_of) {
      return std::unexpected(problem_response(400, "invalid_argument",
                                              "as_of takes a position or an RFC 3339 instant, not '" + *text + "'"));
    }
  }
  if (auto text = call.query.get("at")) {
    point.at = parse_instant(*text);
    if (!point.at)
      return std::unexpected(
          problem_response(400, "invalid_argument", "at takes an RFC 3339 instant, not '" + *text + "'"));
  }
  return point;
}

}  // namespace orgledger::api
