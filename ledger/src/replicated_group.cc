#include "replicated_group.h"

#include <cstring>

#include "orgledger/ledger/replication.h"
#include "store_layout.h"

namespace orgledger::ledger::replicated_group {
namespace {

constexpr std::string_view kMagic = "OLRG";
constexpr char kVersion = 1;

void put(std::string& out, std::uint64_t value, int bytes) {
  for (int shift = (bytes - 1) * 8; shift >= 0; shift -= 8) out.push_back(static_cast<char>((value >> shift) & 0xFF));
}

// Reads big-endian integers and byte runs from a message, refusing to run past its end.
class Reader {
 public:
  explicit Reader(std::string_view bytes) : rest_(bytes) {}
  bool take(std::size_t n, std::string_view& out) {
    if (rest_.size() < n) return false;
    out = rest_.substr(0, n);
    rest_.remove_prefix(n);
    return true;
  }
  bool number(int bytes, std::uint64_t& out) {
    std::string_view raw;
    if (!take(static_cast<std::size_t>(bytes), raw)) return false;
    out = 0;
    for (char c : raw) out = (out << 8) | static_cast<unsigned char>(c);
    return true;
  }
  bool done() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

std::unexpected<Error> malformed(const std::string& what) {
  return std::unexpected(Error{ErrorCode::invalid_argument, "not a replicated group: " + what});
}

}  // namespace

Builder::Builder(const Head& follows, Micros recorded_at) {
  head_.append(kMagic);
  head_.push_back(kVersion);
  put(head_, follows.position, 8);
  head_.append(reinterpret_cast<const char*>(follows.hash.data()), follows.hash.size());
  put(head_, static_cast<std::uint64_t>(recorded_at), 8);
}

void Builder::add_event(std::string_view stored) {
  put(events_, stored.size(), 4);
  events_.append(stored);
  ++event_count_;
}

void Builder::add_answer(std::string_view command_id, std::string_view answer) {
  put(answers_, command_id.size(), 2);
  answers_.append(command_id);
  put(answers_, answer.size(), 4);
  answers_.append(answer);
  ++answer_count_;
}

std::string Builder::finish() {
  std::string message = std::move(head_);
  message.reserve(message.size() + 8 + events_.size() + answers_.size());
  put(message, event_count_, 4);
  message.append(events_);
  put(message, answer_count_, 4);
  message.append(answers_);
  return message;
}

std::expected<Group, Error> decode(std::string_view message) {
  Reader in(message);
  std::string_view magic, version, hash;
  if (!in.take(kMagic.size(), magic) || magic != kMagic) return malformed("no magic");
  if (!in.take(1, version) || version[0] != kVersion) return malformed("unknown version");
  Group group;
  std::uint64_t number = 0;
  if (!in.number(8, group.follows.position) || !in.take(layout::kHashSize, hash)) return malformed("truncated head");
  std::memcpy(group.follows.hash.data(), hash.data(), hash.size());
  if (!in.number(8, number)) return malformed("truncated head");
  group.recorded_at = static_cast<Micros>(number);
  std::uint64_t count = 0;
  if (!in.number(4, count) || count == 0) return malformed("no event");
  if (count > message.size() / 4) return malformed("more events than bytes");
  group.events.reserve(count);
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t length = 0;
    std::string_view stored;
    if (!in.number(4, length) || !in.take(length, stored)) return malformed("truncated event");
    group.events.push_back(stored);
  }
  if (!in.number(4, count)) return malformed("truncated answers");
  for (std::uint64_t i = 0; i < count; ++i) {
    std::uint64_t length = 0;
    std::string_view id, answer;
    if (!in.number(2, length) || !in.take(length, id) || !in.number(4, length) || !in.take(length, answer)) {
      return malformed("truncated answer");
    }
    group.answers.emplace_back(id, answer);
  }
  if (!in.done()) return malformed("bytes after the last answer");
  return group;
}

}  // namespace orgledger::ledger::replicated_group

namespace orgledger::ledger {

std::expected<ReplicatedGroupHeader, Error> replicated_group_header(std::string_view message) {
  auto group = replicated_group::decode(message);
  if (!group) return std::unexpected(group.error());
  const auto last = group->events.back();
  if (last.size() < 32) return std::unexpected(Error{ErrorCode::invalid_argument, "not a replicated group: a short event"});
  ReplicatedGroupHeader header{group->follows.position, group->follows.position + group->events.size(), {}};
  std::memcpy(header.last_hash.data(), last.data(), header.last_hash.size());
  return header;
}

}  // namespace orgledger::ledger
