// Untrusted input made safe to use: query strings and JSON bodies, with the limits that keep a
// hostile request from costing more than a normal one (issue 4: nesting, UTF-8, NUL bytes).
#pragma once

#include <expected>
#include <map>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace orgledger::api {

inline constexpr int kMaxJsonDepth = 16;  // commands are two levels deep; room for growth
inline constexpr std::size_t kMaxQueryValue = 1024;

// A query string's parameters, percent-decoded.
class QueryParams {
 public:
  std::optional<std::string> get(std::string_view name) const;
  bool has(std::string_view name) const { return values_.contains(std::string(name)); }
  std::map<std::string, std::string, std::less<>>& values() { return values_; }

 private:
  std::map<std::string, std::string, std::less<>> values_;
};

// Taken by every route besides its own (issue 18: at_least=P, read your writes on any node).
inline constexpr std::string_view kEveryRouteParam = "at_least";

// Strict: a parameter outside `allowed` (and kEveryRouteParam), a repeated one, a broken percent
// escape, a NUL byte, invalid UTF-8 or an over-long value is an error naming it (the caller
// answers invalid_argument).
std::expected<QueryParams, std::string> parse_query(std::string_view query, std::span<const std::string_view> allowed);
// The parameter `name` as a positive integer, nullopt when absent; an error detail when it is not one.
std::expected<std::optional<std::uint64_t>, std::string> positive_integer_param(const QueryParams& query,
                                                                                std::string_view name);

bool valid_utf8(std::string_view text);

// A path segment, percent-decoded ('+' stays '+'); nullopt for a broken escape, a NUL byte or
// invalid UTF-8.
std::optional<std::string> percent_decode_segment(std::string_view segment);

// The JSON object of a request body: not empty, valid UTF-8, nested at most kMaxJsonDepth deep,
// well-formed, an object. The depth is checked before parsing, so a deep document costs a scan.
std::expected<nlohmann::json, std::string> parse_json_object(std::string_view body);

}  // namespace orgledger::api
