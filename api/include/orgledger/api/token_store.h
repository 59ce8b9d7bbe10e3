// API tokens (API.md: `token`, bearer tokens and scopes; DOMAIN.md D4, D5). A token is shown once,
// when it is created; the store keeps only its SHA-256 and a record (name, principal, scopes,
// act_as, expiry, revocation). Creating and revoking a token are part of the record: each appends
// an event to `token:<name>` in the log (never the secret nor its hash).
#pragma once

#include <expected>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "orgledger/api/problem.h"
#include "orgledger/ledger/ledger.h"

namespace orgledger::api {

enum class Scope : std::uint8_t { write, read, audit, abuse_reporter, personal_data, admin };

const char* to_string(Scope scope);  // "write", "read", "audit", "abuse:reporter", "personal_data", "admin"
std::optional<Scope> parse_scope(std::string_view text);
// "read,audit" → {read, audit}; an error naming the first unknown scope, or an empty list.
std::expected<std::set<Scope>, std::string> parse_scopes(std::string_view comma_separated);

struct TokenInfo {
  std::string name;
  std::string principal;            // D4: svc:<name>, a user id or agent:<id>
  std::set<Scope> scopes;
  std::vector<std::string> act_as;  // D4: exact actors, or prefixes ending in '*'
  ledger::Micros created_at = 0;
  std::optional<ledger::Micros> expires_at;
  std::optional<ledger::Micros> revoked_at;

  // admin is every scope.
  bool allows(Scope scope) const { return scopes.contains(scope) || scopes.contains(Scope::admin); }
  // D4: whether a command may name `actor` through this token. svc:scheduler never may; admin
  // does not widen act_as.
  bool may_act_as(std::string_view actor) const;
  // Neither revoked nor expired at `now` (D5).
  bool usable_at(ledger::Micros now) const;
};

// A token's name: 1 to 64 of [A-Za-z0-9._-], so that it reads safely in logs and metrics.
bool valid_token_name(std::string_view name);

// What `token create` asks for. Absent principal: svc:<name>; absent act_as: the principal alone.
struct TokenSpec {
  std::string name;
  std::set<Scope> scopes;
  std::optional<std::string> principal;
  std::optional<std::vector<std::string>> act_as;
  std::optional<ledger::Micros> expires_in;  // from creation; absent: never expires
};

struct CreatedToken {
  std::string secret;  // "olt_" and 64 hex digits: shown once
  TokenInfo info;
};

class TokenStore {
 public:
  // Loads every token of `ledger`, which must outlive the store. Records stored before D4 read as
  // principal svc:<name> with act_as "*". Errors: the ledger's, or an unreadable record.
  // Token operations fail with a Problem of code invalid_argument, already_exists, not_found,
  // not_active or unavailable.
  static std::expected<std::unique_ptr<TokenStore>, Problem> open(ledger::Ledger& ledger);

  // Creates a token with 256 random bits: appends TokenCreated (actor and via: `operator_principal`,
  // D5) to token:<name>, then stores the token's hash. Thread-safe. Errors: invalid_argument (name,
  // scopes, principal, act_as), already_exists (a name is never used twice, revoked ones included),
  // unavailable (the ledger's failure).
  std::expected<CreatedToken, Problem> create(const TokenSpec& spec, const std::string& operator_principal,
                                                   ledger::Micros now);

  // Appends TokenRevoked, then marks the record: the token is refused from the next request on.
  // Errors: not_found, not_active (revoked already), unavailable.
  std::expected<TokenInfo, Problem> revoke(const std::string& name, const std::string& operator_principal,
                                                ledger::Micros now);

  // Every token, by name. Thread-safe.
  std::vector<TokenInfo> list() const;

  // The record of a token usable at `now`; nullopt for an unknown, revoked or expired one.
  std::optional<TokenInfo> authenticate(std::string_view secret, ledger::Micros now) const;
  // Whether the token named `name` is still usable at `now` (open SSE streams ask, D5).
  bool usable(std::string_view name, ledger::Micros now) const;

  // Issue 18, a cluster's nodes share the records (never the secrets): the key is the hex of the
  // token's hash, the value its record (the `tokens` family's). Every record, for a new writer to
  // share; `sink` is told each record this store writes from now on (create, revoke), under the
  // store's lock, so in order (set it once, before use); `adopt` takes one another node shared:
  // stored, and usable at once. Errors: invalid_argument (a malformed key or record), unavailable.
  std::vector<std::pair<std::string, std::string>> shared_records() const;
  void on_record(std::function<void(const std::string& key, const std::string& record)> sink);
  std::expected<void, Problem> adopt(const std::string& key, const std::string& record);

 private:
  explicit TokenStore(ledger::Ledger& ledger) : ledger_(ledger) {}
  std::expected<void, Problem> record(const std::string& digest, const TokenInfo& info);
  // Appends a D5 event durably (the ledger answers a repeated command id with the first answer).
  std::expected<void, Problem> append(ledger::CommandAppend event);

  ledger::Ledger& ledger_;
  std::function<void(const std::string& key, const std::string& record)> sink_;  // issue 18
  mutable std::shared_mutex mutex_;
  std::unordered_map<std::string, TokenInfo> by_hash_;    // raw 32-byte SHA-256 → record
  std::unordered_map<std::string, std::string> by_name_;  // name → raw SHA-256
};

}  // namespace orgledger::api
