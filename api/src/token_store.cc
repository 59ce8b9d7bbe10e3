// The token record, as stored in the ledger's `tokens` family (value; the key is the token's
// SHA-256):
//   record := JSON object {"name": string, "scopes": [scope…], "created_at": µs since the epoch}
// JSON because the record is small, read once at start and may gain fields.
#include "orgledger/api/token_store.h"

#include <openssl/rand.h>
#include <openssl/sha.h>

#include <cstring>
#include <mutex>
#include <nlohmann/json.hpp>

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

}  // namespace

const char* to_string(Scope scope) {
  switch (scope) {
    case Scope::write:
      return "write";
    case Scope::read:
      return "read";
    case Scope::audit:
      return "audit";
    case Scope::abuse_reporter:
      return "abuse:reporter";
    case Scope::admin:
      return "admin";
  }
  return "?";
}

std::optional<Scope> parse_scope(std::string_view text) {
  for (auto scope : {Scope::write, Scope::read, Scope::audit, Scope::abuse_reporter, Scope::admin}) {
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
      return std::unexpected("unknown scope '" + std::string(item) + "' (write, read, audit, abuse:reporter, admin)");
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
  for (char c : name) {
    const bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
    if (!ok) return false;
  }
  return true;
}

std::expected<std::unique_ptr<TokenStore>, std::string> TokenStore::open(ledger::Ledger& ledger) {
  auto stored = ledger.tokens();
  if (!stored) return std::unexpected(stored.error().message);
  std::unique_ptr<TokenStore> store(new TokenStore(ledger));
  for (const auto& [hash, record] : *stored) {
    const auto json = nlohmann::json::parse(record, nullptr, false);
    if (json.is_discarded() || !json.is_object() || !json.contains("name") || !json["name"].is_string() ||
        !json.contains("scopes") || !json["scopes"].is_array()) {
      return std::unexpected("a stored token record is unreadable");
    }
    TokenInfo info;
    info.name = json["name"].get<std::string>();
    for (const auto& scope : json["scopes"]) {
      if (!scope.is_string()) return std::unexpected("a stored token record is unreadable");
      // A scope this build does not know grants nothing (a newer version may have added it).
      if (auto known = parse_scope(scope.get<std::string>())) info.scopes.insert(*known);
    }
    if (json.contains("created_at") && json["created_at"].is_number_integer())
      info.created_at = json["created_at"].get<ledger::Micros>();
    store->by_hash_.emplace(std::string(reinterpret_cast<const char*>(hash.data()), hash.size()), std::move(info));
  }
  return store;
}

std::expected<std::string, std::string> TokenStore::create(const std::string& name, const std::set<Scope>& scopes,
                                                           ledger::Micros now) {
  if (!valid_token_name(name))
    return std::unexpected("a token name is 1 to 64 of A-Z a-z 0-9 . _ -, not '" + name + "'");
  if (scopes.empty()) return std::unexpected(std::string("at least one scope is needed"));
  std::unique_lock lock(mutex_);
  for (const auto& [_, info] : by_hash_) {
    if (info.name == name) return std::unexpected("a token named '" + name + "' exists already");
  }
  unsigned char secret[32];
  if (RAND_bytes(secret, sizeof secret) != 1) return std::unexpected(std::string("no randomness for a token"));
  const std::string token = std::string(kTokenPrefix) + hex(secret, sizeof secret);
  const std::string digest = sha256_of(token);

  nlohmann::json record;
  record["name"] = name;
  record["scopes"] = nlohmann::json::array();
  for (auto scope : scopes) record["scopes"].push_back(to_string(scope));
  record["created_at"] = now;
  ledger::Hash key{};
  std::memcpy(key.data(), digest.data(), key.size());
  if (auto stored = ledger_.put_token(key, record.dump()); !stored) return std::unexpected(stored.error().message);
  by_hash_.emplace(digest, TokenInfo{name, scopes, now});
  return token;
}

std::optional<TokenInfo> TokenStore::authenticate(std::string_view token) const {
  if (!token.starts_with(kTokenPrefix)) return std::nullopt;
  const std::string digest = sha256_of(token);
  std::shared_lock lock(mutex_);
  auto it = by_hash_.find(digest);
  if (it == by_hash_.end()) return std::nullopt;
  return it->second;
}

std::size_t TokenStore::size() const {
  std::shared_lock lock(mutex_);
  return by_hash_.size();
}

}  // namespace orgledger::api
