// The replicated log's message of one group (issue 18), as the writer publishes it and a replica
// appends it. Byte layout (big-endian integers):
//
//   group    := magic "OLRG" version:u8(=1) follows_position:u64 follows_hash:32 recorded_at:i64
//               event_count:u32 event{event_count} answer_count:u32 answer{answer_count}
//   event    := length:u32 stored           stored = hash:32 envelope (the `events` family's value)
//   answer   := id_length:u16 id length:u32 CommandAnswer (answer.fbs, the `commands` family's value)
//
// Events are in position order, from follows_position + 1, gapless; each command's answer is the
// one its writer stored, so a repeated command id gets the same first answer on every node.
#pragma once

#include <expected>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/types.h"

namespace orgledger::ledger::replicated_group {

struct Group {
  Head follows;
  Micros recorded_at = 0;
  std::vector<std::string_view> events;                             // stored bytes
  std::vector<std::pair<std::string_view, std::string_view>> answers;  // command id, encoded answer
};

// Builds a message incrementally: events, then answers, then finish().
class Builder {
 public:
  Builder(const Head& follows, Micros recorded_at);
  void add_event(std::string_view stored);
  void add_answer(std::string_view command_id, std::string_view answer);
  std::string finish();

 private:
  std::string head_;
  std::string events_;
  std::string answers_;
  std::uint32_t event_count_ = 0;
  std::uint32_t answer_count_ = 0;
};

// Views into `message`, which must outlive the result. Errors: invalid_argument naming what is
// malformed (never reads outside `message`).
std::expected<Group, Error> decode(std::string_view message);

}  // namespace orgledger::ledger::replicated_group
