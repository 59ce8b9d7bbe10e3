// Value types of the ledger's public surface. Light on purpose: no RocksDB, no FlatBuffers.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace orgledger::ledger {

// Global log position: gapless from 1; 0 means "before the first event".
using Position = std::uint64_t;
// Version of an event within its stream: dense from 1; 0 means "the stream has no event".
using StreamVersion = std::uint64_t;
// Microseconds since the Unix epoch, UTC (DOMAIN.md: time is UTC, microseconds).
using Micros = std::int64_t;
// SHA-256 of the chain: hash(n) = SHA-256(hash(n-1) ‖ envelope bytes(n)), hash(0) = zeros.
using Hash = std::array<std::uint8_t, 32>;

enum class ErrorCode {
  invalid_argument,  // the append itself is malformed (caller bug or bad input)
  version_conflict,  // expected stream version does not match
  corrupt,           // stored bytes fail verification; `position` names where
  io_error,          // the store failed (open, read or write)
  stopped,           // fail-stop: an earlier write failed, or the ledger is closing
  read_only,         // the ledger was opened read-only
  not_found,         // no ledger in that directory
  // The store failed while this append was being made durable: it may or may not be in the log
  // (API.md: "outcome": "unknown"). A later open answers which, through its command id.
  outcome_unknown,
};

// Why an operation failed. `position` is set when the error concerns one stored event.
struct Error {
  ErrorCode code;
  std::string message;
  Position position = 0;
};

const char* to_string(ErrorCode code);

// Optimistic concurrency (API.md `expected_version`): the command applies only if `stream` is at
// exactly `version` (0: the stream must not exist yet).
struct ExpectedVersion {
  std::string stream;
  StreamVersion version = 0;
};

// One event of a command, encoded by the submitter (see event_codec.h) so that the single writer
// only patches position, stream version, recorded_at, prev_hash and the command index in place.
struct EventDraft {
  std::string stream;
  std::string envelope;  // FlatBuffers Envelope with the writer's fields still zero
};

// D4: who vouched for a command's actor: the principal and the name of the token it came with
// (none for the command line without a server, and for the scheduler).
struct Via {
  std::string principal;
  std::optional<std::string> token;
  bool operator==(const Via&) const = default;
};

// The events of one command: appended atomically or not at all (D1).
struct CommandAppend {
  std::string command_id;      // idempotency key, required
  std::string actor;           // required
  std::string correlation_id;  // optional
  std::optional<Via> via;      // recorded in every event's envelope (D4); none: not recorded
  std::optional<ExpectedVersion> expected;
  std::vector<EventDraft> events;  // 1 to 65535 events
};

struct EventRef {
  Position position = 0;
  std::uint8_t type = 0;  // member of the Event union (events.fbs)
};

// What an append answers, stored under the command id so that a repeat gets the same answer.
struct CommandAnswer {
  Position position = 0;  // the command's last event
  std::string stream;     // expected.stream, else the first event's stream
  StreamVersion stream_version = 0;  // that stream's version after the command
  std::vector<EventRef> events;
  bool duplicate = false;  // true when this command id had been appended before
};

}  // namespace orgledger::ledger
