// The token record, as stored in the `tokens` family (value; the key is the token's SHA-256):
//   record := JSON object {"name": string, "principal": string, "scopes": [scope…],
//                          "act_as": [pattern…], "created_at": µs, "expires_at"?: µs,
//                          "revoked_at"?: µs}
// JSON because the record is small, read once at start and may gain fields. A record without
// "principal" was stored before D4: principal svc:<name>, act_as ["*"] (DOMAIN.md D4).
//
// D5: the log says the same as the records. Creation appends TokenCreated before the record is
// stored, revocation TokenRevoked before the record is marked, so a crash between the two leaves
// at worst an event whose token cannot be used (a created name stays taken: the stream exists),
// or a revocation the record does not show yet, which open() reads from the log.
#include "orgledger/api/token_store.h"

#include <openssl/sha.h>

#include <algorithm>
#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>

#include "orgledger/ledger/event_codec.h"
#include "orgledger/ledger/token_records.h"

namespace orgledger::api {
namespace {

constexpr std::string_view kTokenPrefix = "olt_";

std::string sha256_of(std::string_view text) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(text.data()), text.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

std::string hex(const unsigned char* bytes, std::size_t size) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(size * 2);
  for (std::size_t i = 0; i < size; ++i) {
    out.push_back(kDigits[bytes[i] >> 4]);
    out.push_back(kDigits[bytes[i] & 0xF]);
  }
  return out;
}

bool id_character(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
         c == ':' || c == '@' || c == '-';
}

// DOMAIN.md, identifiers: 1–128 of [A-Za-z0-9._:@-].
bool valid_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), id_character);
}

// D4: a principal is svc:<name>, a user id or agent:<id>; svc:scheduler is the server's own and
// local:* the command line's.
std::optional<std::string> principal_problem(std::string_view principal) {
  if (!valid_id(principal)) return "a principal is an id of 1-128 characters of [A-Za-z0-9._:@-]";
  if (principal == "svc:scheduler") return "svc:scheduler is the server's own principal";
  if (principal.starts_with("local:")) return "local:* principals are the command line's";
  return std::nullopt;
}

// D4: an exact actor, or a prefix ending in '*' ("agent:*", "*").
bool valid_act_as(std::string_view pattern) {
  if (pattern == "*") return true;
  if (pattern.ends_with('*')) pattern.remove_suffix(1);
  return valid_id(pattern);
}

std::string stream_of_token(const std::string& name) { return "token:" + name; }

nlohmann::json record_json(const TokenInfo& info) {
  nlohmann::json record;
  record["name"] = info.name;
  record["principal"] = info.principal;
  record["scopes"] = nlohmann::json::array();
  for (auto scope : info.scopes) record["scopes"].push_back(to_string(scope));
  record["act_as"] = info.act_as;
  record["created_at"] = info.created_at;
  if (info.expires_at) record["expires_at"] = *info.expires_at;
  if (info.revoked_at) record["revoked_at"] = *info.revoked_at;
  return record;
}

std::optional<TokenInfo> record_from_json(const std::string& text) {
  const auto json = nlohmann::json::parse(text, nullptr, false);
  auto has = [&](const char* key, auto check) { return json.contains(key) && (json[key].*check)(); };
  if (json.is_discarded() || !json.is_object() || !has("name", &nlohmann::json::is_string) ||
      !has("scopes", &nlohmann::json::is_array)) {
    return std::nullopt;
  }
  TokenInfo info;
  info.name = json["name"].get<std::string>();
  for (const auto& scope : json["scopes"]) {
    if (!scope.is_string()) return std::nullopt;
    // A scope this build does not know grants nothing (a newer version may have added it).
    if (auto known = parse_scope(scope.get<std::string>())) info.scopes.insert(*known);
  }
  if (has("principal", &nlohmann::json::is_string)) {
    info.principal = json["principal"].get<std::string>();
    if (has("act_as", &nlohmann::json::is_array)) {
      for (const auto& pattern : json["act_as"]) {
        if (pattern.is_string()) info.act_as.push_back(pattern.get<std::string>());
      }
    }
  } else {  // D4: stored before principals existed
    info.principal = "svc:" + info.name;
    info.act_as = {"*"};
  }
  auto instant = [&](const char* key) -> std::optional<ledger::Micros> {
    if (!has(key, &nlohmann::json::is_number_integer)) return std::nullopt;
    return json[key].get<ledger::Micros>();
  };
  info.created_at = instant("created_at").value_or(0);
  info.expires_at = instant("expires_at");
  info.revoked_at = instant("revoked_at");
  return info;
}

Problem unavailable(const ledger::Error& error) { return Problem{"unavailable", error.message}; }

ledger::CommandAppend token_event(const std::string& name, std::string_view what, const std::string& operator_principal) {
  ledger::CommandAppend event;
  // Not a client's id: '/' is outside the id alphabet, so no command can take it first.
  event.command_id = "token/" + name + "/" + std::string(what);
  event.actor = operator_principal;
  event.via = ledger::Via{operator_principal, std::nullopt};
  return event;
}

}  // namespace

const char* to_string(Scope scope) {
  switch (scope) {
    case Scope::write: return "write";
    case Scope::read: return "read";
    case Scope::audit: return "audit";
    case Scope::abuse_reporter: return "abuse:reporter";
    case Scope::personal_data: return "personal_data";
    case Scope::admin: return "admin";
  }
  return "?";
}

std::optional<Scope> parse_scope(std::string_view text) {
  for (auto scope : {Scope::write, Scope::read, Scope::audit, Scope::abuse_reporter, Scope::personal_data, Scope::admin}) {
    if (text == to_string(scope)) return scope;
  }
  return std::nullopt;
}

std::expected<std::set<Scope>, std::string> parse_scopes(std::string_view comma_separated) {
  std::set<Scope> scopes;
  while (!comma_separated.empty()) {
    const auto comma = comma_separated.find(',');
    const auto item = comma_separated.substr(0, comma);
    auto scope = parse_scope(item);
    if (!scope) {
      return std::unexpected("unknown scope '" + std::string(item) +
                             "' (write, read, audit, abuse:reporter, personal_data, admin)");
    }
    scopes.insert(*scope);
    if (comma == std::string_view::npos) break;
    comma_separated.remove_prefix(comma + 1);
  }
  if (scopes.empty()) return std::unexpected(std::string("at least one scope is needed"));
  return scopes;
}

bool valid_token_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return id_character(c) && c != ':' && c != '@'; });
}

bool TokenInfo::may_act_as(std::string_view actor) const {
  if (actor == "svc:scheduler") return false;  // D4: the server's own, whatever act_as says
  return std::any_of(act_as.begin(), act_as.end(), [&](const std::string& pattern) {
    if (pattern.ends_with('*')) return actor.starts_with(std::string_view(pattern).substr(0, pattern.size() - 1));
    return actor == pattern;
  });
}

bool TokenInfo::usable_at(ledger::Micros now) const {
  return !revoked_at && (!expires_at || now < *expires_at);
}

std::expected<std::unique_ptr<TokenStore>, Problem> TokenStore::open(ledger::Ledger& ledger) {
  auto stored = ledger::TokenRecords(ledger).all();
  if (!stored) return std::unexpected(unavailable(stored.error()));
  std::unique_ptr<TokenStore> store(new TokenStore(ledger));
  for (const auto& [hash, text] : *stored) {
    auto info = record_from_json(text);
    if (!info) return std::unexpected(Problem{"unavailable", "a stored token record is unreadable"});
    // The log is the record (D5): a TokenRevoked whose record a crash left unmarked still revokes.
    if (!info->revoked_at) {
      auto revoked = ledger.find_command(token_event(info->name, "revoked", "").command_id);
      if (!revoked) return std::unexpected(unavailable(revoked.error()));
      if (*revoked) {
        auto event = ledger.read((*revoked)->position, 1);
        if (!event || event->empty()) return std::unexpected(Problem{"unavailable", "a TokenRevoked event is unreadable"});
        info->revoked_at = event->front().recorded_at();
      }
    }
    const std::string digest(reinterpret_cast<const char*>(hash.data()), hash.size());
    store->by_name_[info->name] = digest;
    store->by_hash_.emplace(digest, std::move(*info));
  }
  return store;
}

std::expected<void, Problem> TokenStore::record(const std::string& digest, const TokenInfo& info) {
  ledger::Hash key{};
  std::memcpy(key.data(), digest.data(), key.size());
  const std::string text = record_json(info).dump();
  if (auto stored = ledger::TokenRecords(ledger_).put(key, text); !stored) {
    return std::unexpected(unavailable(stored.error()));
  }
  if (sink_) sink_(hex(key.data(), key.size()), text);
  return {};
}

std::vector<std::pair<std::string, std::string>> TokenStore::shared_records() const {
  std::shared_lock lock(mutex_);
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& [digest, info] : by_hash_) {
    out.emplace_back(hex(reinterpret_cast<const unsigned char*>(digest.data()), digest.size()), record_json(info).dump());
  }
  return out;
}

void TokenStore::on_record(std::function<void(const std::string& key, const std::string& record)> sink) {
  std::unique_lock lock(mutex_);
  sink_ = std::move(sink);
}

std::expected<void, Problem> TokenStore::adopt(const std::string& key, const std::string& record) {
  auto invalid = [](std::string message) { return std::unexpected(Problem{"invalid_argument", std::move(message)}); };
  if (key.size() != 64 || key.find_first_not_of("0123456789abcdef") != std::string::npos) return invalid("not a token hash");
  std::string digest(32, '\0');
  for (std::size_t i = 0; i < 32; ++i) digest[i] = static_cast<char>(std::stoi(key.substr(2 * i, 2), nullptr, 16));
  auto info = record_from_json(record);
  if (!info || !valid_token_name(info->name)) return invalid("not a token record");
  std::unique_lock lock(mutex_);
  if (auto known = by_hash_.find(digest); known != by_hash_.end()) {
    if (record_json(known->second).dump() == record) return {};
    // D5: a revocation is never undone, whatever order the records travel in.
    if (known->second.revoked_at && !info->revoked_at) return {};
  }
  ledger::Hash hash{};
  std::memcpy(hash.data(), digest.data(), hash.size());
  if (auto stored = ledger::TokenRecords(ledger_).put(hash, record); !stored) return std::unexpected(unavailable(stored.error()));
  by_name_[info->name] = digest;
  by_hash_[digest] = std::move(*info);
  return {};
}

std::expected<void, Problem> TokenStore::append(ledger::CommandAppend event) {
  auto appended = ledger_.append(std::move(event));
  if (!appended) return std::unexpected(unavailable(appended.error()));
  return {};
}

std::expected<CreatedToken, Problem> TokenStore::create(const TokenSpec& spec, const std::string& operator_principal,
                                                             ledger::Micros now) {
  auto invalid = [](std::string message) { return std::unexpected(Problem{"invalid_argument", std::move(message)}); };
  if (!valid_token_name(spec.name)) return invalid("a token name is 1 to 64 of A-Z a-z 0-9 . _ -, not '" + spec.name + "'");
  if (spec.scopes.empty()) return invalid("at least one scope is needed");
  TokenInfo info;
  info.name = spec.name;
  info.principal = spec.principal.value_or("svc:" + spec.name);
  if (auto problem = principal_problem(info.principal)) return invalid(*problem);
  info.scopes = spec.scopes;
  info.act_as = spec.act_as.value_or(std::vector<std::string>{info.principal});
  if (info.act_as.empty()) return invalid("act_as names at least one actor");
  for (const auto& pattern : info.act_as) {
    if (!valid_act_as(pattern)) return invalid("act_as: '" + pattern + "' is neither an id nor a prefix ending in *");
  }
  if (spec.expires_in && *spec.expires_in <= 0) return invalid("a token expires after a positive duration");
  info.created_at = now;
  if (spec.expires_in) info.expires_at = now + *spec.expires_in;

  std::unique_lock lock(mutex_);
  // D5: names are unique forever. The stream too: an event whose record a crash prevented.
  auto existing_stream = ledger_.stream_version(stream_of_token(spec.name));
  if (!existing_stream) return std::unexpected(unavailable(existing_stream.error()));
  if (by_name_.contains(spec.name) || *existing_stream != 0) {
    return std::unexpected(Problem{"already_exists", "a token named '" + spec.name + "' exists or existed"});
  }
  unsigned char secret[32];
  if (!ledger_.env().random().fill(std::span<std::uint8_t>(secret, sizeof secret))) return std::unexpected(Problem{"unavailable", "no randomness for a token"});
  const std::string token = std::string(kTokenPrefix) + hex(secret, sizeof secret);
  const std::string digest = sha256_of(token);

  auto event = token_event(spec.name, "created", operator_principal);
  schema::TokenCreatedT created;
  created.token = info.name;
  created.principal = info.principal;
  for (auto scope : info.scopes) created.scopes.emplace_back(to_string(scope));
  created.act_as = info.act_as;
  if (info.expires_at) created.expires_at = std::make_unique<schema::Instant>(*info.expires_at);
  ledger::add_event(event, stream_of_token(spec.name), std::move(created));
  if (auto appended = append(std::move(event)); !appended) return std::unexpected(appended.error());
  if (auto stored = record(digest, info); !stored) return std::unexpected(stored.error());
  by_name_[info.name] = digest;
  by_hash_.emplace(digest, info);
  return CreatedToken{token, std::move(info)};
}

std::expected<TokenInfo, Problem> TokenStore::revoke(const std::string& name, const std::string& operator_principal,
                                                          ledger::Micros now) {
  std::unique_lock lock(mutex_);
  const auto named = by_name_.find(name);
  if (named == by_name_.end()) return std::unexpected(Problem{"not_found", "no token named '" + name + "'"});
  TokenInfo info = by_hash_.at(named->second);
  if (info.revoked_at) return std::unexpected(Problem{"not_active", "token '" + name + "' is revoked already"});
  auto event = token_event(name, "revoked", operator_principal);
  ledger::add_event(event, stream_of_token(name), schema::TokenRevokedT{.token = name});
  if (auto appended = append(std::move(event)); !appended) return std::unexpected(appended.error());
  info.revoked_at = now;
  if (auto stored = record(named->second, info); !stored) return std::unexpected(stored.error());
  by_hash_[named->second] = info;
  return info;
}

std::vector<TokenInfo> TokenStore::list() const {
  std::shared_lock lock(mutex_);
  std::vector<TokenInfo> out;
  for (const auto& [_, info] : by_hash_) out.push_back(info);
  std::sort(out.begin(), out.end(), [](const TokenInfo& a, const TokenInfo& b) { return a.name < b.name; });
  return out;
}

std::optional<TokenInfo> TokenStore::authenticate(std::string_view secret, ledger::Micros now) const {
  if (!secret.starts_with(kTokenPrefix)) return std::nullopt;
  const std::string digest = sha256_of(secret);
  std::shared_lock lock(mutex_);
  auto it = by_hash_.find(digest);
  if (it == by_hash_.end() || !it->second.usable_at(now)) return std::nullopt;
  return it->second;
}

bool TokenStore::usable(std::string_view name, ledger::Micros now) const {
  std::shared_lock lock(mutex_);
  auto named = by_name_.find(std::string(name));
  return named != by_name_.end() && by_hash_.at(named->second).usable_at(now);
}

}  // namespace orgledger::api
