// API tokens (API.md: `token create`, bearer tokens and scopes). A token is shown once, when it is
// created; the store keeps only its SHA-256, in the ledger's `tokens` family.
#pragma once

#include <expected>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>

#include "orgledger/ledger/ledger.h"

namespace orgledger::api {

enum class Scope : std::uint8_t { write, read, audit, abuse_reporter, admin };

const char* to_string(Scope scope);  // "write", "read", "audit", "abuse:reporter", "admin"
std::optional<Scope> parse_scope(std::string_view text);
// "read,audit" → {read, audit}; an error naming the first unknown scope, or an empty list.
std::expected<std::set<Scope>, std::string> parse_scopes(std::string_view comma_separated);

struct TokenInfo {
  std::string name;
  std::set<Scope> scopes;
  ledger::Micros created_at = 0;
  // admin is every scope.
  bool allows(Scope scope) const { return scopes.contains(scope) || scopes.contains(Scope::admin); }
};

// A token's name: 1 to 64 of [A-Za-z0-9._-], so that it reads safely in logs and metrics.
bool valid_token_name(std::string_view name);

class TokenStore {
 public:
  // Loads every token of `ledger`, which must outlive the store. Errors: the ledger's, or a
  // stored record that cannot be read.
  static std::expected<std::unique_ptr<TokenStore>, std::string> open(ledger::Ledger& ledger);

  // Creates a token with 256 random bits ("olt_" and 64 hex digits), stores its hash durably and
  // returns the token itself: the only time it exists outside its holder. Thread-safe. Errors: a
  // bad name (valid_token_name), no scope, a name already taken, the ledger's (e.g. read-only).
  std::expected<std::string, std::string> create(const std::string& name, const std::set<Scope>& scopes,
                                                 ledger::Micros now);

  // The token's record, nullopt for an unknown token. Thread-safe.
  std::optional<TokenInfo> authenticate(std::string_view token) const;

  std::size_t size() const;

 private:
  explicit TokenStore(ledger::Ledger& ledger) : ledger_(ledger) {}
  ledger::Ledger& ledger_;
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, TokenInfo> by_hash_;  // raw 32-byte SHA-256 → record
};

}  // namespace orgledger::api
