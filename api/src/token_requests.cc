#include "orgledger/api/token_requests.h"

#include <pwd.h>
#include <unistd.h>

#include <charconv>
#include <nlohmann/json.hpp>

#include "orgledger/api/time_format.h"

namespace orgledger::api {
namespace {

using Json = nlohmann::ordered_json;

Json failure(const Problem& why) { return Json{{"error", why.message}, {"code", why.code}}; }

Json instant_or_null(const std::optional<ledger::Micros>& instant) {
  return instant ? Json(format_instant(*instant)) : Json(nullptr);
}

Json scopes_json(const TokenInfo& info) {
  Json out = Json::array();
  for (auto scope : info.scopes) out.push_back(to_string(scope));
  return out;
}

Json entry_json(const TokenInfo& info) {
  return Json{{"name", info.name},
              {"principal", info.principal},
              {"scopes", scopes_json(info)},
              {"act_as", info.act_as},
              {"created_at", format_instant(info.created_at)},
              {"expires_at", instant_or_null(info.expires_at)},
              {"revoked_at", instant_or_null(info.revoked_at)}};
}

std::vector<std::string> split_commas(std::string_view text) {
  std::vector<std::string> out;
  while (true) {
    const auto comma = text.find(',');
    out.emplace_back(text.substr(0, comma));
    if (comma == std::string_view::npos) return out;
    text.remove_prefix(comma + 1);
  }
}

std::optional<std::string> text(const nlohmann::json& request, const char* key) {
  if (!request.contains(key) || !request[key].is_string()) return std::nullopt;
  return request[key].get<std::string>();
}

Json create(TokenStore& tokens, const nlohmann::json& request, const std::string& operator_principal,
            ledger::Micros now) {
  const auto name = text(request, "name");
  const auto scopes_text = text(request, "scopes");
  if (!name || !scopes_text) return failure({"invalid_argument", "a token needs a name and scopes"});
  auto scopes = parse_scopes(*scopes_text);
  if (!scopes) return failure({"invalid_argument", scopes.error()});
  TokenSpec spec{.name = *name, .scopes = *scopes};
  spec.principal = text(request, "principal");
  if (auto act_as = text(request, "act_as")) spec.act_as = split_commas(*act_as);
  if (auto expires_in = text(request, "expires_in")) {
    spec.expires_in = parse_duration(*expires_in);
    if (!spec.expires_in) return failure({"invalid_argument", "--expires-in is a number and d, h, m or s: not '" + *expires_in + "'"});
  }
  auto created = tokens.create(spec, operator_principal, now);
  if (!created) return failure(created.error());
  return Json{{"token", created->secret},
              {"name", created->info.name},
              {"principal", created->info.principal},
              {"scopes", scopes_json(created->info)},
              {"act_as", created->info.act_as},
              {"expires_at", instant_or_null(created->info.expires_at)}};
}

}  // namespace

std::optional<ledger::Micros> parse_duration(std::string_view text) {
  if (text.size() < 2) return std::nullopt;
  ledger::Micros unit = 0;
  switch (text.back()) {
    case 'd': unit = 86'400'000'000; break;
    case 'h': unit = 3'600'000'000; break;
    case 'm': unit = 60'000'000; break;
    case 's': unit = 1'000'000; break;
    default: return std::nullopt;
  }
  std::int64_t count = 0;
  const auto digits = text.substr(0, text.size() - 1);
  const auto [end, error] = std::from_chars(digits.data(), digits.data() + digits.size(), count);
  if (error != std::errc() || end != digits.data() + digits.size() || count <= 0) return std::nullopt;
  if (count > (std::int64_t{1} << 62) / unit) return std::nullopt;  // beyond any instant we print
  return count * unit;
}

nlohmann::json run_token_request(TokenStore& tokens, const nlohmann::json& request,
                                 const std::string& operator_principal, ledger::Micros now) {
  const auto op = request.is_object() ? text(request, "op") : std::nullopt;
  if (op == "create_token") return create(tokens, request, operator_principal, now);
  if (op == "list_tokens") {
    Json list = Json::array();
    for (const auto& info : tokens.list()) list.push_back(entry_json(info));
    return Json{{"tokens", std::move(list)}};
  }
  if (op == "revoke_token") {
    const auto name = text(request, "name");
    if (!name) return failure({"invalid_argument", "revoke needs a token name"});
    auto revoked = tokens.revoke(*name, operator_principal, now);
    if (!revoked) return failure(revoked.error());
    return entry_json(*revoked);
  }
  return failure({"invalid_argument", "malformed token request"});
}

std::string local_principal_of(unsigned uid) {
  passwd entry{};
  passwd* found = nullptr;
  char buffer[4096];
  if (::getpwuid_r(uid, &entry, buffer, sizeof buffer, &found) == 0 && found != nullptr && found->pw_name != nullptr) {
    return std::string("local:") + found->pw_name;
  }
  return "local:" + std::to_string(uid);
}

std::string local_principal() { return local_principal_of(::geteuid()); }

}  // namespace orgledger::api
