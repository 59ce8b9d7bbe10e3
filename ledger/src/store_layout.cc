#include "store_layout.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace orgledger::ledger::layout {
namespace {

void append_u64_be(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xFF));
}

std::uint64_t read_u64_be(std::string_view bytes) {
  std::uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<std::uint8_t>(bytes[i]);
  return value;
}

}  // namespace

std::string position_key(Position position) {
  std::string key;
  key.reserve(8);
  append_u64_be(key, position);
  return key;
}

std::optional<Position> parse_position_key(std::string_view key) {
  if (key.size() != 8) return std::nullopt;
  return read_u64_be(key);
}

std::string stream_key(std::string_view stream, StreamVersion version) {
  std::string key;
  key.reserve(stream.size() + 9);
  key.append(stream);
  key.push_back('\0');
  append_u64_be(key, version);
  return key;
}

std::string stream_end_key(std::string_view stream) {
  std::string key(stream);
  key.push_back('\x01');
  return key;
}

std::string stream_last_key(std::string_view stream) {
  return stream_key(stream, std::numeric_limits<StreamVersion>::max());
}

std::optional<StreamVersion> parse_stream_key(std::string_view key, std::string_view stream) {
  if (key.size() != stream.size() + 9 || !key.starts_with(stream) || key[stream.size()] != '\0') {
    return std::nullopt;
  }
  return read_u64_be(key.substr(stream.size() + 1));
}

std::string encode_head(const Head& head) {
  std::string value = position_key(head.position);
  value.append(reinterpret_cast<const char*>(head.hash.data()), head.hash.size());
  return value;
}

std::optional<Head> decode_head(std::string_view value) {
  if (value.size() != 8 + kHashSize) return std::nullopt;
  Head head;
  head.position = read_u64_be(value);
  std::memcpy(head.hash.data(), value.data() + 8, kHashSize);
  return head;
}

std::string snapshot_prefix(std::string_view name) {
  std::string key(name);
  key.push_back('\0');
  return key;
}

std::optional<StreamKey> split_stream_key(std::string_view key) {
  if (key.size() < 9 || key[key.size() - 9] != '\0') return std::nullopt;
  return StreamKey{key.substr(0, key.size() - 9), read_u64_be(key.substr(key.size() - 8))};
}

std::string prefix_end_key(std::string_view prefix) {
  std::string key(prefix);
  while (!key.empty() && static_cast<unsigned char>(key.back()) == 0xff) key.pop_back();
  if (!key.empty()) key.back() = static_cast<char>(static_cast<unsigned char>(key.back()) + 1);
  return key;
}

std::string snapshot_key(std::string_view name, Position position, std::uint32_t chunk) {
  std::string key = snapshot_prefix(name) + position_key(position);
  for (int shift = 24; shift >= 0; shift -= 8) key.push_back(static_cast<char>((chunk >> shift) & 0xFF));
  return key;
}

std::string tree_key(unsigned level, std::uint64_t index) {
  std::string out(9, '\0');
  out[0] = static_cast<char>(level);
  for (int i = 8; i >= 1; --i, index >>= 8) out[static_cast<std::size_t>(i)] = static_cast<char>(index & 0xFF);
  return out;
}

}  // namespace orgledger::ledger::layout
