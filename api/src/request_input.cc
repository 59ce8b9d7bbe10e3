#include "request_input.h"

#include <algorithm>
#include <charconv>

namespace orgledger::api {
namespace {

int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::expected<std::string, std::string> percent_decode(std::string_view text, bool plus_is_space = true) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '+' && plus_is_space) {
      out.push_back(' ');
    } else if (text[i] == '%') {
      if (i + 2 >= text.size()) return std::unexpected(std::string("a broken percent escape"));
      const int high = hex_value(text[i + 1]);
      const int low = hex_value(text[i + 2]);
      if (high < 0 || low < 0) return std::unexpected(std::string("a broken percent escape"));
      out.push_back(static_cast<char>(high * 16 + low));
      i += 2;
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

// Deepest nesting of arrays and objects, outside strings; stops counting past `limit`.
int nesting_depth(std::string_view text, int limit) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
      continue;
    }
    if (c == '"')
      in_string = true;
    else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
      if (deepest > limit) return deepest;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

std::optional<std::string> QueryParams::get(std::string_view name) const {
  auto it = values_.find(name);
  if (it == values_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::string> percent_decode_segment(std::string_view segment) {
  auto decoded = percent_decode(segment, false);
  if (!decoded || decoded->find('\0') != std::string::npos || !valid_utf8(*decoded)) return std::nullopt;
  return std::move(*decoded);
}

bool valid_utf8(std::string_view text) {
  const auto* bytes = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t size = text.size();
  for (std::size_t i = 0; i < size;) {
    const unsigned char c = bytes[i];
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t length = 0;
    std::uint32_t code = 0;
    if ((c & 0xE0) == 0xC0)
      length = 2, code = c & 0x1F;
    else if ((c & 0xF0) == 0xE0)
      length = 3, code = c & 0x0F;
    else if ((c & 0xF8) == 0xF0)
      length = 4, code = c & 0x07;
    else
      return false;
    if (i + length > size) return false;
    for (std::size_t k = 1; k < length; ++k) {
      if ((bytes[i + k] & 0xC0) != 0x80) return false;
      code = (code << 6) | (bytes[i + k] & 0x3F);
    }
    // Overlong forms, surrogates and values past Unicode are not UTF-8.
    if ((length == 2 && code < 0x80) || (length == 3 && code < 0x800) || (length == 4 && code < 0x10000) ||
        code > 0x10FFFF || (code >= 0xD800 && code <= 0xDFFF)) {
      return false;
    }
    i += length;
  }
  return true;
}

std::expected<QueryParams, std::string> parse_query(std::string_view query, std::span<const std::string_view> allowed) {
  QueryParams params;
  while (!query.empty()) {
    const auto amp = query.find('&');
    const auto pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view{} : query.substr(amp + 1);
    if (pair.empty()) continue;
    const auto eq = pair.find('=');
    auto name = percent_decode(pair.substr(0, eq));
    auto value = percent_decode(eq == std::string_view::npos ? std::string_view{} : pair.substr(eq + 1));
    if (!name) return std::unexpected("query parameter: " + name.error());
    if (!value) return std::unexpected("query parameter " + *name + ": " + value.error());
    if (*name != kEveryRouteParam && std::find(allowed.begin(), allowed.end(), *name) == allowed.end()) {
      return std::unexpected("unknown query parameter '" + (valid_utf8(*name) ? *name : std::string("?")) + "'");
    }
    if (value->find('\0') != std::string::npos || !valid_utf8(*value)) {
      return std::unexpected("query parameter " + *name + " is not valid UTF-8 text");
    }
    if (value->size() > kMaxQueryValue) return std::unexpected("query parameter " + *name + " is too long");
    if (!params.values().emplace(*name, std::move(*value)).second) {
      return std::unexpected("query parameter " + *name + " is given twice");
    }
  }
  return params;
}

std::expected<std::optional<std::uint64_t>, std::string> positive_integer_param(const QueryParams& query,
                                                                                std::string_view name) {
  const auto text = query.get(name);
  if (!text) return std::nullopt;
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (text->empty() || error != std::errc() || end != text->data() + text->size() || value == 0) {
    return std::unexpected(std::string(name) + " is a positive integer, not '" + *text + "'");
  }
  return value;
}

std::expected<nlohmann::json, std::string> parse_json_object(std::string_view body) {
  if (body.empty()) return std::unexpected(std::string("the body is empty; a JSON object is expected"));
  if (!valid_utf8(body)) return std::unexpected(std::string("the body is not valid UTF-8"));
  if (nesting_depth(body, kMaxJsonDepth) > kMaxJsonDepth) {
    return std::unexpected("the body nests deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  auto json = nlohmann::json::parse(body, nullptr, false);
  if (json.is_discarded()) return std::unexpected(std::string("the body is not well-formed JSON"));
  if (!json.is_object()) return std::unexpected(std::string("the body must be one JSON object"));
  return json;
}

}  // namespace orgledger::api
