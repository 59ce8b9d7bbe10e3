// GET /v1/access-history, /v1/who-can and /v1/what-can (API.md): the audit questions.
// who-can and what-can are complete and paginated: a page's `next_cursor` pins the position and
// instant of the first page, so that the pages of one answer are of one state.
#include <charconv>
#include <nlohmann/json.hpp>

#include "orgledger/api/audit_json.h"
#include "orgledger/projections/reverse_lookup.h"
#include "orgledger/replay/access_history.h"
#include "query_state.h"
#include "router.h"

namespace orgledger::api {
namespace {

constexpr std::size_t kDefaultPage = 1000;
constexpr std::size_t kMaxPage = 10'000;

// cursor := position "~" instant (µs) "~" question "~" the last key of the previous page, where
// question is a short hash of what is asked (org, action, product or user): a cursor answers
// only the question it was given for.
struct Cursor {
  ledger::Position position = 0;
  ledger::Micros at = 0;
  std::string after;
};

std::string question_of(const Call& call) {
  std::string asked;
  for (const char* name : {"org", "action", "product", "user"}) asked += call.query.get(name).value_or("") + '\x1f';
  return std::to_string(std::hash<std::string>{}(asked) % 1'000'000'007ULL);
}

std::string encode(const Cursor& cursor, const std::string& question) {
  return std::to_string(cursor.position) + "~" + std::to_string(cursor.at) + "~" + question + "~" + cursor.after;
}

std::optional<Cursor> decode(const std::string& text, const std::string& question) {
  const auto first = text.find('~');
  const auto second = first == std::string::npos ? std::string::npos : text.find('~', first + 1);
  const auto third = second == std::string::npos ? std::string::npos : text.find('~', second + 1);
  if (third == std::string::npos || text.substr(second + 1, third - second - 1) != question) return std::nullopt;
  Cursor cursor;
  auto number = [](std::string_view digits, auto& value) {
    const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), value);
    return !digits.empty() && error == std::errc() && end == digits.data() + digits.size();
  };
  if (!number(std::string_view(text).substr(0, first), cursor.position) ||
      !number(std::string_view(text).substr(first + 1, second - first - 1), cursor.at)) {
    return std::nullopt;
  }
  cursor.after = text.substr(third + 1);
  return cursor;
}

// The point a page is asked at (the cursor's, or the query's as_of and at), the page size, and
// where it starts.
struct Page {
  QueryPoint point;
  std::size_t size = kDefaultPage;
  std::string after;
  bool pinned = false;  // a cursor fixed the point
};

std::expected<Page, HttpResponse> page_of(const Call& call) {
  Page page;
  if (auto text = call.query.get("limit")) {
    std::size_t size = 0;
    const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), size);
    if (text->empty() || error != std::errc() || end != text->data() + text->size() || size == 0 || size > kMaxPage) {
      return std::unexpected(problem_response(400, "invalid_argument", "limit is 1 to 10000, not '" + *text + "'"));
    }
    page.size = size;
  }
  if (auto text = call.query.get("cursor")) {
    auto cursor = decode(*text, question_of(call));
    if (!cursor)
      return std::unexpected(
          problem_response(400, "invalid_argument", "not a cursor of this question: '" + *text + "'"));
    page.point.as_of =
        projections::AsOf{projections::AsOf::Kind::position, static_cast<std::int64_t>(cursor->position)};
    page.point.at = cursor->at;
    page.after = cursor->after;
    page.pinned = true;
    return page;
  }
  auto point = query_point(call);
  if (!point) return std::unexpected(std::move(point.error()));
  page.point = *point;
  return page;
}

HttpResponse bad(std::string detail) { return problem_response(400, "invalid_argument", std::move(detail)); }

}  // namespace

void get_access_history(Call& call, Reply reply) {
  const auto org = call.query.get("org");
  const auto product = call.query.get("product");
  if (!org || !product) return reply(bad("org and product are required"));
  std::optional<projections::AsOf> from, to;
  if (auto text = call.query.get("from")) {
    from = parse_as_of(*text);
    if (!from) return reply(bad("from is a position or an RFC 3339 instant, not '" + *text + "'"));
  }
  if (auto text = call.query.get("to")) {
    to = parse_as_of(*text);
    if (!to) return reply(bad("to is a position or an RFC 3339 instant, not '" + *text + "'"));
  }
  auto history = replay::access_history(call.services.ledger, *org, *product, from, to, call.services.clock.now());
  if (!history)
    return reply(problem_response(503, "unavailable", "the log could not be read: " + history.error().message));
  reply(json_response(200, access_history_json(*org, *product, *history)));
}

void get_who_can(Call& call, Reply reply) {
  const auto org = call.query.get("org");
  const auto action_text = call.query.get("action");
  if (!org || !action_text) return reply(bad("org and action are required"));
  const auto action = projections::parse_action(*action_text);
  if (!action) return reply(bad("unknown action '" + *action_text + "'"));
  const auto product = call.query.get("product");
  if (*action == projections::Action::product_access && !product) return reply(bad("product.access needs product"));
  auto page = page_of(call);
  if (!page) return reply(std::move(page.error()));
  reply(with_org_state_at(
      call, *org, page->point, [&](const projections::State& state, ledger::Position as_of, ledger::Micros at) {
        if (!state.organizations.contains(*org))
          return problem_response(404, "not_found", "organization " + *org + " does not exist");
        const auto everyone = projections::who_can(state, *org, *action, product, at);
        std::map<std::string, std::vector<projections::Reason>> users;
        auto it = page->after.empty() ? everyone.begin() : everyone.upper_bound(page->after);
        for (; it != everyone.end() && users.size() < page->size; ++it) users.insert(*it);
        Json out;
        out["org"] = *org;
        out["action"] = *action_text;
        out["product"] = product ? Json(*product) : Json(nullptr);
        out["as_of_position"] = as_of;
        out["at"] = format_instant(at);
        out["users"] = who_can_users_json(users);
        out["next_cursor"] =
            it == everyone.end() ? Json(nullptr) : Json(encode({as_of, at, users.rbegin()->first}, question_of(call)));
        return json_response(200, out);
      }));
}

void get_what_can(Call& call, Reply reply) {
  const auto org = call.query.get("org");
  const auto user = call.query.get("user");
  if (!org || !user) return reply(bad("org and user are required"));
  auto page = page_of(call);
  if (!page) return reply(std::move(page.error()));
  reply(with_org_state_at(
      call, *org, page->point, [&](const projections::State& state, ledger::Position as_of, ledger::Micros at) {
        if (!state.organizations.contains(*org))
          return problem_response(404, "not_found", "organization " + *org + " does not exist");
        const auto all = projections::what_can(state, *org, *user, at);
        // The key of a capability: its index in the (stable) order what_can gives.
        std::size_t start = 0;
        if (!page->after.empty()) {
          std::size_t index = 0;
          const auto [end, error] = std::from_chars(page->after.data(), page->after.data() + page->after.size(), index);
          if (error != std::errc() || end != page->after.data() + page->after.size())
            return bad("not a cursor of this API");
          start = index + 1;
        }
        Json capabilities = Json::array();
        std::size_t i = start;
        for (; i < all.size() && capabilities.size() < page->size; ++i) capabilities.push_back(capability_json(all[i]));
        Json out;
        out["org"] = *org;
        out["user"] = *user;
        out["as_of_position"] = as_of;
        out["at"] = format_instant(at);
        out["capabilities"] = std::move(capabilities);
        out["next_cursor"] =
            i >= all.size() ? Json(nullptr) : Json(encode({as_of, at, std::to_string(i - 1)}, question_of(call)));
        return json_response(200, out);
      }));
}

}  // namespace orgledger::api
