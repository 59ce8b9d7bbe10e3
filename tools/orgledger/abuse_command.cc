// `orgledger abuse [--status open|breached|at_risk] [--at T] [--as-of X] [--calendar FILE]
//  [--reveal-reporter] [--json]`
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "orgledger/api/answer_json.h"
#include "orgledger/api/time_format.h"
#include "orgledger/commands/stream_names.h"
#include "orgledger/projections/abuse_sla.h"
#include "personal_access.h"
#include "query_support.h"
#include "remote_query.h"
#include "subcommands.h"

namespace orgledger::tools {
namespace {

// GET /v1/abuse-reports, from the data directory or the server.
std::expected<api::Json, int> abuse_body(const CliArgs& args, const std::optional<std::string>& status) {
  if (auto server = RemoteServer::from_args(args)) {
    // The server's calendar and vault decide (A7, G3): its token's scopes reveal what they allow.
    for (const char* local : {"calendar", "master-key-file"}) {
      if (args.value(local)) throw UsageError(std::string("--") + local + " is the server's with --server");
    }
    return remote_json(*server, Target("/v1/abuse-reports").add("status", status).add_as_of_at(args), args, "abuse");
  }
  const auto& calendar = calendar_of(args);
  auto folded = load_state(args, "abuse", commands::kAbuseReportStreams);  // A1–A7: the reports' streams say it all
  if (!folded) return std::unexpected(kExitUsageOrIo);
  const auto at = instant_of(args, *folded);
  auto vault = open_local_vault(args, "abuse");
  if (!vault) return std::unexpected(kExitUsageOrIo);
  const auto view = personal_view_of(args, vault->get());  // G3, A6
  // Sorted by report id, so the output does not depend on hashing.
  std::map<std::string, const projections::AbuseReport*> reports;
  for (const auto& [id, report] : folded->state.reports) reports.emplace(id, &report);
  api::Json list = api::Json::array();
  for (const auto& [id, report] : reports) {
    const auto sla = projections::abuse_sla(*report, calendar, at);
    if (status == "open" && !sla.open()) continue;
    if (status == "breached" && !sla.any(projections::StageStatus::breached)) continue;
    if (status == "at_risk" && !sla.any(projections::StageStatus::at_risk)) continue;
    list.push_back(api::abuse_report_json(id, *report, sla, view));
  }
  api::Json out;  // the fields in the API's order
  out["as_of_position"] = folded->as_of_position;
  out["at"] = api::format_instant(at);
  out["reports"] = std::move(list);
  return out;
}

}  // namespace

int abuse_command(const Args& raw) {
  const CliArgs args(raw, with_remote({{"data", "status", "at", "as-of", "calendar", "master-key-file"},
                                       {"json", "reveal-reporter", "reveal-personal-data"}}));
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  const auto status = args.value("status");
  if (status && *status != "open" && *status != "breached" && *status != "at_risk") {
    throw UsageError("--status is open, breached or at_risk");
  }
  const auto found = abuse_body(args, status);
  if (!found) return found.error();
  if (args.flag("json")) {
    std::printf("%s\n", found->dump().c_str());
    return kExitOk;
  }
  const auto& list = (*found)["reports"];
  for (const auto& report : list) {
    std::printf("%s  %s  received %s\n", report["report"].get<std::string>().c_str(),
                report["category"].get<std::string>().c_str(), report["received_at"].get<std::string>().c_str());
    for (const auto& [stage, view] : report["stages"].items()) {
      std::printf("  %-20s %-15s due %s%s\n", stage.c_str(), view["status"].get<std::string>().c_str(),
                  view["due"].get<std::string>().c_str(),
                  view["done_at"].is_null() ? "" : ("  done " + view["done_at"].get<std::string>()).c_str());
    }
  }
  return kExitOk;
}

}  // namespace orgledger::tools
