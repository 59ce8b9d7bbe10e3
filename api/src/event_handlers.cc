// GET /v1/events and GET /v1/verify (API.md): the log itself, for auditors.
#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "orgledger/ledger/base64.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/replay/clear_personal_data.h"
#include "orgledger/ledger/verify.h"
#include "query_state.h"
#include "router.h"

namespace orgledger::api {
namespace {

constexpr std::size_t kDefaultLimit = 1000;
constexpr std::size_t kMaxLimit = 10'000;
// A filtered read looks at no more than this many events per request and says where to go on
// (`next`), so a filter that matches rarely never turns one request into a scan of the whole log.
constexpr std::size_t kMaxScanned = 100'000;
constexpr std::size_t kChunk = 1000;
// A page also ends past this many bytes (events can be large): `next` says where to go on.
constexpr std::size_t kMaxPageBytes = 8 << 20;

std::optional<std::uint64_t> parse_count(const std::string& text) {
  std::uint64_t value = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (error != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
  return value;
}

}  // namespace

void get_events(Call& call, Reply reply) {
  auto bad = [&](std::string detail) { reply(problem_response(400, "invalid_argument", std::move(detail))); };
  ledger::Position from = 1;
  std::size_t limit = kDefaultLimit;
  if (auto text = call.query.get("from")) {
    auto value = parse_count(*text);
    if (!value) return bad("from is a position, not '" + *text + "'");
    from = std::max<ledger::Position>(1, *value);
  }
  if (auto text = call.query.get("limit")) {
    auto value = parse_count(*text);
    if (!value || *value == 0 || *value > kMaxLimit) return bad("limit is 1 to 10000, not '" + *text + "'");
    limit = *value;
  }
  const auto stream = call.query.get("stream");
  const auto actor = call.query.get("actor");
  const auto type = call.query.get("type");
  const auto envelope = call.query.get("envelope");
  if (envelope && *envelope != "true" && *envelope != "false") return bad("envelope is true or false, not '" + *envelope + "'");
  const bool with_envelope = envelope == "true";
  const auto view = personal_view_for(call.token, call.services);
  auto& ledger = call.services.ledger;
  const ledger::Position head = ledger.head().position;

  Json events = Json::array();
  std::size_t page_bytes = 0;
  ledger::Position next = from;
  auto full = [&] { return events.size() >= limit || page_bytes >= kMaxPageBytes; };
  auto take = [&](const ledger::RecordedEvent& event) {
    if (actor && event.actor() != *actor) return;
    if (type && event.type_name() != *type) return;
    page_bytes += event.stored().size() * 2;  // its JSON is about twice its stored size
    auto json = event_to_json(event, view);
    // The stored bytes, as exports give them, so a client can check a proof (issue 14). Those of an
    // event written before G1 hold personal data in clear (G4): only G3's scopes see them; others
    // get null, which no client can mistake for bytes.
    if (with_envelope) {
      page_bytes += event.envelope_bytes().size() * 4 / 3;
      if (view.logins_and_documents || !replay::holds_clear_personal_data(event)) {
        json["envelope"] = ledger::base64(event.envelope_bytes());
      } else {
        json["envelope"] = nullptr;
      }
    }
    events.push_back(std::move(json));
  };
  if (stream) {
    // The streams index gives the stream's events in order; a binary search over its versions
    // finds the first at or after `from`, so a page costs its own events, not the stream's past.
    auto last = ledger.stream_version(*stream);
    if (!last) return reply(problem_response(503, "unavailable", last.error().message));
    ledger::StreamVersion low = 1, high = *last + 1;  // the first version at or after `from` is in [low, high]
    while (low < high) {
      const ledger::StreamVersion middle = low + (high - low) / 2;
      auto probe = ledger.read_stream(*stream, middle, 1);
      if (!probe) return reply(problem_response(503, "unavailable", probe.error().message));
      if (!probe->empty() && probe->front().position() < from)
        low = middle + 1;
      else
        high = middle;
    }
    ledger::StreamVersion version = low;
    next = head + 1;
    while (!full()) {
      auto chunk = ledger.read_stream(*stream, version, kChunk);
      if (!chunk) return reply(problem_response(503, "unavailable", chunk.error().message));
      for (const auto& event : *chunk) {
        take(event);
        if (full()) {
          next = event.position() + 1;
          break;
        }
      }
      if (chunk->size() < kChunk) break;
      version += kChunk;
    }
  } else {
    std::size_t scanned = 0;
    while (next <= head && !full() && scanned < kMaxScanned) {
      const std::size_t want = (actor || type) ? kChunk : std::min(kChunk, limit - events.size());
      auto chunk = ledger.read(next, want);
      if (!chunk) return reply(problem_response(503, "unavailable", chunk.error().message));
      if (chunk->empty()) break;
      for (const auto& event : *chunk) {
        take(event);
        next = event.position() + 1;
        ++scanned;
        if (full()) break;
      }
    }
  }
  Json out;
  out["events"] = std::move(events);
  out["next"] = next;
  reply(json_response(200, out));
}

void get_verify(Call& call, Reply reply) {
  // One whole-log verification at a time: each reads the whole log, and the worker threads are
  // shared with every as-of query.
  if (call.services.verifying.exchange(true)) {
    auto busy = problem_response(503, "unavailable", "a verification is running; ask again when it is done");
    busy.headers.emplace_back("Retry-After", "10");
    return reply(std::move(busy));
  }
  auto report = ledger::verify_ledger(call.services.data_directory);
  call.services.verifying.store(false);
  if (!report) return reply(problem_response(503, "unavailable", report.error().message));
  reply(json_response(200, verify_json(*report)));
}

}  // namespace orgledger::api
