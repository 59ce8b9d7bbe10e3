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
#include "subcommands.h"

namespace orgledger::tools {
namespace {

constexpr std::size_t kChunk = 1000;  // events read at a time: memory stays flat on any log

void print_event(const ledger::RecordedEvent& event, bool json, const api::PersonalView& view) {
  auto shown = api::event_to_json(event, view);
  if (json) {
    std::printf("%s\n", shown.dump().c_str());
    return;
  }
  std::printf("%llu  %s  %s@%llu  %s  by %s  %s\n", static_cast<unsigned long long>(event.position()),
              shown["recorded_at"].get<std::string>().c_str(), std::string(event.stream()).c_str(),
              static_cast<unsigned long long>(event.stream_version()), std::string(event.type_name()).c_str(),
              std::string(event.actor()).c_str(), shown["data"].dump().c_str());
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

}  // namespace

int events_command(const Args& raw) {
  const CliArgs args(raw, {{"data", "from", "limit", "stream", "master-key-file"},
                           {"follow", "json", "reveal-personal-data", "reveal-reporter"}});
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
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
