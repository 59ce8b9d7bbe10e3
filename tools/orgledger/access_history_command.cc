// `orgledger access-history --org O --product P [--from X] [--to X] [--json]`: who could access
// the product, in which intervals, and why (API.md).
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "data_dir.h"
#include "orgledger/api/audit_json.h"
#include "orgledger/api/time_format.h"
#include "orgledger/replay/access_history.h"
#include "remote_query.h"
#include "subcommands.h"

namespace orgledger::tools {

namespace {

// GET /v1/access-history, from the data directory or the server.
std::expected<api::Json, int> access_history_body(const CliArgs& args, const std::string& org, const std::string& product,
                                                  const std::optional<projections::AsOf>& from,
                                                  const std::optional<projections::AsOf>& to) {
  if (auto server = RemoteServer::from_args(args)) {
    const auto target = Target("/v1/access-history")
                            .add("org", org)
                            .add("product", product)
                            .add("from", args.value("from"))
                            .add("to", args.value("to"));
    return remote_json(*server, target, args, "access-history");
  }
  auto ledger = ledger::Ledger::open(data_directory(args), {.mode = ledger::OpenMode::read_only});
  if (!ledger) {
    std::fprintf(stderr, "orgledger access-history: %s\n", ledger.error().message.c_str());
    return std::unexpected(kExitUsageOrIo);
  }
  auto history = replay::access_history(**ledger, org, product, from, to, ledger::system_clock().now());
  if (!history) {
    std::fprintf(stderr, "orgledger access-history: %s\n", history.error().message.c_str());
    return std::unexpected(kExitUsageOrIo);
  }
  return api::access_history_json(org, product, *history);
}

}  // namespace

int access_history_command(const Args& raw) {
  const CliArgs args(raw, with_remote({{"data", "org", "product", "from", "to"}, {"json"}}));
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  if (!args.value("org") || !args.value("product")) throw UsageError("--org and --product are required");
  std::optional<projections::AsOf> from, to;
  if (auto text = args.value("from")) {
    if (!(from = api::parse_as_of(*text))) throw UsageError("--from takes a position or an RFC 3339 instant");
  }
  if (auto text = args.value("to")) {
    if (!(to = api::parse_as_of(*text))) throw UsageError("--to takes a position or an RFC 3339 instant");
  }
  const std::string org = *args.value("org"), product = *args.value("product");
  const auto found = access_history_body(args, org, product, from, to);
  if (!found) return found.error();
  const auto& body = *found;
  if (args.flag("json")) {
    std::printf("%s\n", body.dump().c_str());
    return kExitOk;
  }
  std::printf("%s %s (as of position %llu)\n", org.c_str(), product.c_str(),
              body["as_of_position"].get<unsigned long long>());
  for (const auto& interval : body["intervals"]) {
    const auto& via = interval["via"];
    std::string why = via["kind"].get<std::string>();
    for (const char* detail : {"role", "team", "grant"}) {
      if (via.contains(detail)) why += " " + via[detail].get<std::string>();
    }
    std::printf("  %-24s %s (position %llu) → %s  via %s\n", interval["user"].get<std::string>().c_str(),
                interval["from"].get<std::string>().c_str(), interval["from_position"].get<unsigned long long>(),
                interval["to"].is_null()
                    ? "now"
                    : (interval["to"].get<std::string>() +
                       (interval["to_position"].is_null()
                            ? ""
                            : " (position " + std::to_string(interval["to_position"].get<unsigned long long>()) + ")"))
                          .c_str(),
                why.c_str());
  }
  return kExitOk;
}

}  // namespace orgledger::tools
