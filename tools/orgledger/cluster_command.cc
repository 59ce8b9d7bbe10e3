// `orgledger cluster status --cluster URLS [--json]` (issue 18): the nodes, the writer, and how many
// positions each node is behind the log's last group.
#include <cstdio>

#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "cluster_membership.h"
#include "subcommands.h"

namespace orgledger::tools {

int cluster_command(const Args& raw) {
  const CliArgs args(raw, {{"cluster", "cluster-stream"}, {"json"}});
  if (args.positional().size() != 1 || args.positional().front() != "status") {
    throw UsageError("cluster status --cluster nats://HOST:PORT[,…] [--json]");
  }
  if (!args.value("cluster")) throw UsageError("cluster status needs --cluster nats://HOST:PORT[,…]");
  auto options = *cluster_options(args, "", NodeName::none);
  auto status = cluster::read_status(options);
  if (!status) {
    std::fprintf(stderr, "orgledger cluster status: %s\n", status.error().message.c_str());
    return kExitUsageOrIo;
  }
  if (args.flag("json")) {
    nlohmann::json nodes = nlohmann::json::array();
    for (const auto& node : status->nodes) {
      nodes.push_back({{"node", node.node}, {"url", node.url}, {"role", node.role}, {"position", node.position},
                       {"lag", node.lag}, {"seen_ms_ago", node.seen_ms_ago}});
    }
    const nlohmann::json out{{"writer", status->writer.empty() ? nlohmann::json(nullptr) : nlohmann::json(status->writer)},
                             {"stream_sequence", status->stream_sequence},
                             {"last_position", status->last_position},
                             {"nodes", nodes}};
    std::printf("%s\n", out.dump().c_str());
    return kExitOk;
  }
  std::printf("writer: %s\nlog: %llu groups, last position %llu\n", status->writer.empty() ? "(none)" : status->writer.c_str(),
              static_cast<unsigned long long>(status->stream_sequence), static_cast<unsigned long long>(status->last_position));
  std::printf("%-16s %-8s %-28s %10s %8s %10s\n", "node", "role", "url", "position", "lag", "seen");
  for (const auto& node : status->nodes) {
    std::printf("%-16s %-8s %-28s %10llu %8llu %8llds\n", node.node.c_str(), node.role.c_str(), node.url.c_str(),
                static_cast<unsigned long long>(node.position), static_cast<unsigned long long>(node.lag),
                static_cast<long long>(node.seen_ms_ago / 1000));
  }
  return kExitOk;
}

}  // namespace orgledger::tools
