// `orgledger events [--from N] [--limit N] [--stream S] [--follow] [--json] [--reveal-personal-data|--reveal-reporter]`
#include <chrono>
#include <cstdio>
#include <limits>
#include <nlohmann/json.hpp>
#include <thread>

#include "cli_args.h"
#include "data_dir.h"
#include "personal_access.h"
#include "orgledger/api/event_json.h"
#include "orgledger/api/time_format.h"
#include "orgledger/ledger/ledger.h"
#include "remote_query.h"
#include "subcommands.h"

namespace orgledger::tools {
namespace {

constexpr std::size_t kChunk = 1000;  // events read at a time: memory stays flat on any log

// An event as API.md shows it (api::event_to_json, or a server's page): the JSON line, or one
// line for people.
void print_shown(const api::Json& shown, bool json) {
  if (json) {
    std::printf("%s\n", shown.dump().c_str());
    return;
  }
  std::printf("%llu  %s  %s@%llu  %s  by %s  %s\n", shown["position"].get<unsigned long long>(),
              shown["recorded_at"].get<std::string>().c_str(), shown["stream"].get<std::string>().c_str(),
              shown["stream_version"].get<unsigned long long>(), shown["type"].get<std::string>().c_str(),
              shown["actor"].get<std::string>().c_str(), shown["data"].dump().c_str());
}

void print_event(const ledger::RecordedEvent& event, bool json, const api::PersonalView& view) {
  print_shown(api::event_to_json(event, view), json);
}

int report(const ledger::Error& error) {
  std::fprintf(stderr, "orgledger events: %s\n", error.message.c_str());
  return kExitUsageOrIo;  // a damaged log is an I/O error here; `verify` is the check that fails with 1
}

// Success only if everything printed reached its destination (a full disk is an I/O error).
int finished_output() {
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "orgledger events: cannot write the output\n");
    return kExitUsageOrIo;
  }
  return kExitOk;
}

int print_stream(const CliArgs& args, const std::string& dir, const std::string& stream, ledger::Position from,
                 std::uint64_t remaining, bool json) {
  auto opened = ledger::Ledger::open(dir, {.mode = ledger::OpenMode::read_only});
  if (!opened) return report(opened.error());
  auto vault = open_local_vault(args, "events");
  if (!vault) return kExitUsageOrIo;
  const auto view = personal_view_of(args, vault->get(), opened->get());  // G3
  ledger::StreamVersion version = 1;
  while (remaining > 0) {
    auto events = (*opened)->read_stream(stream, version, kChunk);
    if (!events) return report(events.error());
    if (events->empty()) break;
    version += events->size();
    for (const auto& event : *events) {
      if (event.position() < from) continue;
      print_event(event, json, view);
      if (--remaining == 0) break;
    }
  }
  return finished_output();
}

// The frames of a Server-Sent Events answer, as they arrive: each event's data (one JSON event)
// is printed; an `error` event ends the follow.
class SseFrames {
 public:
  SseFrames(const std::optional<std::string>& stream, bool json, std::uint64_t& remaining, ledger::Position& next)
      : stream_(stream), json_(json), remaining_(remaining), next_(next) {}

  // Takes a piece of the answer; false once the follow must end (enough events, or an error).
  bool take(std::string_view piece) {
    pending_.append(piece);
    for (auto end = pending_.find("\n\n"); end != std::string::npos; end = pending_.find("\n\n")) {
      const std::string frame = pending_.substr(0, end);
      pending_.erase(0, end + 2);
      if (!frame_done(frame)) return false;
    }
    return true;
  }
  bool failed() const { return failed_; }

 private:
  bool frame_done(const std::string& frame) {
    std::string kind, data;
    std::size_t start = 0;
    while (start < frame.size()) {
      auto end = frame.find('\n', start);
      if (end == std::string::npos) end = frame.size();
      const std::string_view line(frame.data() + start, end - start);
      if (line.starts_with("event: ")) kind = line.substr(7);
      if (line.starts_with("data: ")) data += line.substr(6);
      start = end + 1;
    }
    if (data.empty()) return true;  // a comment (keep-alive) or the retry hint
    if (kind == "error") {
      std::fprintf(stderr, "orgledger events: the server ended the follow: %s\n", data.c_str());
      failed_ = true;
      return false;
    }
    const auto event = api::Json::parse(data, nullptr, false);  // in the server's order of fields
    if (!event.is_object()) return true;
    next_ = event["position"].get<ledger::Position>() + 1;
    if (stream_ && event["stream"] != *stream_) return true;
    print_shown(event, json_);
    std::fflush(stdout);
    return --remaining_ > 0;
  }

  const std::optional<std::string>& stream_;
  bool json_;
  std::uint64_t& remaining_;
  ledger::Position& next_;
  std::string pending_;
  bool failed_ = false;
};

// With a server (API.md): pages of GET /v1/events, then with --follow its Server-Sent Events.
int remote_events(RemoteServer& server, const CliArgs& args, ledger::Position next, std::uint64_t remaining) {
  const bool json = args.flag("json");
  const auto stream = args.value("stream");
  while (remaining > 0) {
    const auto limit = std::to_string(std::min<std::uint64_t>(remaining, 10000));
    auto page = remote_json(server,
                            Target("/v1/events").add("from", std::to_string(next)).add("limit", limit).add("stream", stream),
                            args, "events");
    if (!page) return page.error();
    const auto& events = (*page)["events"];
    if (events.empty()) {
      next = (*page)["next"].get<ledger::Position>();
      break;
    }
    for (const auto& event : events) print_shown(event, json);
    remaining -= events.size();
    next = (*page)["next"].get<ledger::Position>();
  }
  if (!args.flag("follow") || remaining == 0) return finished_output();
  if (finished_output() != kExitOk) return kExitUsageOrIo;
  for (;;) {
    SseFrames frames(stream, json, remaining, next);
    std::string error_body;
    auto status = server.stream(Target("/v1/events/subscribe").add("from", std::to_string(next)).str(),
                                [&](std::string_view piece) { return frames.take(piece); }, error_body);
    if (status && *status != 200) return remote_failure(*status, error_body, args, "events");
    if (frames.failed()) return kExitUsageOrIo;
    if (remaining == 0) return finished_output();
    // The server closed the stream (a restart, a revoked token is a 401 above): follow on from
    // the next position, as the local --follow does across reopenings.
    if (!status) std::fprintf(stderr, "orgledger events: %s; reconnecting\n", status.error().c_str());
    std::this_thread::sleep_for(std::chrono::seconds(1));
  }
}

}  // namespace

int events_command(const Args& raw) {
  const CliArgs args(raw, with_remote({{"data", "from", "limit", "stream", "master-key-file"},
                                       {"follow", "json", "reveal-personal-data", "reveal-reporter"}}));
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  if (auto server = RemoteServer::from_args(args)) {
    if (args.value("master-key-file")) throw UsageError("--master-key-file is the server's with --server");
    return remote_events(*server, args, std::max<std::uint64_t>(args.number("from").value_or(1), 1),
                         args.number("limit").value_or(std::numeric_limits<std::uint64_t>::max()));
  }
  const std::string dir = data_directory(args);
  const bool json = args.flag("json");
  const auto stream = args.value("stream");
  ledger::Position next = std::max<std::uint64_t>(args.number("from").value_or(1), 1);
  std::uint64_t remaining = args.number("limit").value_or(std::numeric_limits<std::uint64_t>::max());

  // One stream without --follow: read it through the stream index, not the whole log.
  if (stream && !args.flag("follow")) return print_stream(args, dir, *stream, next, remaining, json);

  // Read-only, so that it runs beside a server holding the ledger for writing. A read-only view
  // is the log as of open: --follow reopens it to see what was appended since.
  const auto poll = std::chrono::milliseconds(200);
  for (;;) {
    auto opened = ledger::Ledger::open(dir, {.mode = ledger::OpenMode::read_only});
    if (!opened) {
      if (args.flag("follow") && opened.error().code == ledger::ErrorCode::not_found) {
        std::this_thread::sleep_for(poll);
        continue;
      }
      return report(opened.error());
    }
    auto subscription = (*opened)->subscribe(next);
    // The vault too is reopened with the log: a read-only view sees its files as they were at open
    // (keys made and subjects forgotten since).
    auto vault = open_local_vault(args, "events");
    if (!vault) return kExitUsageOrIo;
    const auto view = personal_view_of(args, vault->get(), opened->get());  // G3, and K4 at now
    while (remaining > 0) {
      auto events = subscription->next(std::min<std::uint64_t>(kChunk, remaining), std::chrono::milliseconds(0));
      if (!events) return report(events.error());
      if (events->empty()) break;
      for (const auto& event : *events) {
        if (stream && event.stream() != *stream) continue;
        print_event(event, json, view);
        --remaining;
        if (remaining == 0) break;
      }
    }
    next = subscription->next_position();
    if (!args.flag("follow") || remaining == 0) return finished_output();
    if (finished_output() != kExitOk) return kExitUsageOrIo;
    subscription.reset();
    opened->reset();
    std::this_thread::sleep_for(poll);
  }
}

}  // namespace orgledger::tools
