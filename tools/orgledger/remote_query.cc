#include "remote_query.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "orgledger/api/time_format.h"
#include "query_support.h"
#include "subcommands.h"

namespace orgledger::tools {

OptionSpec with_remote(OptionSpec spec) {
  spec.valued.insert(kRemoteOptions.begin(), kRemoteOptions.end());
  return spec;
}

Target& Target::add(std::string_view name, const std::optional<std::string>& value) {
  if (!value) return *this;
  text_ += has_query_ ? '&' : '?';
  has_query_ = true;
  text_ += name;
  text_ += '=';
  text_ += url_encode(*value);
  return *this;
}

Target& Target::add_as_of_at(const CliArgs& args) {
  as_of_of(args);  // throws UsageError for a bad --as-of, as on the data directory
  if (auto at = args.value("at"); at && !api::parse_instant(*at)) {
    throw UsageError("--at takes an RFC 3339 instant, not '" + *at + "'");
  }
  return add("as_of", args.value("as-of")).add("at", args.value("at"));
}

int remote_failure(int status, const std::string& body, const CliArgs& args, const char* subcommand) {
  const auto problem = api::Json::parse(body, nullptr, false);
  const bool is_problem = problem.is_object() && problem.contains("code") && problem["code"].is_string();
  if (is_problem && problem["code"] == "not_found") {
    print_problem(args, problem);
    return kExitRejected;
  }
  if (is_problem) {
    std::fprintf(stderr, "orgledger %s: the server answered %d %s: %s\n", subcommand, status,
                 problem["code"].get<std::string>().c_str(), problem.value("detail", std::string()).c_str());
  } else {
    std::fprintf(stderr, "orgledger %s: the server answered %d\n", subcommand, status);
  }
  return kExitUsageOrIo;
}

std::expected<api::Json, int> remote_json(RemoteServer& server, const Target& target, const CliArgs& args,
                                          const char* subcommand) {
  auto reply = server.get(target.str());
  if (!reply) {
    std::fprintf(stderr, "orgledger %s: %s\n", subcommand, reply.error().c_str());
    return std::unexpected(kExitUsageOrIo);
  }
  if (reply->status != 200) return std::unexpected(remote_failure(reply->status, reply->body, args, subcommand));
  auto body = api::Json::parse(reply->body, nullptr, false);
  if (body.is_discarded()) {
    std::fprintf(stderr, "orgledger %s: the server's answer is not JSON\n", subcommand);
    return std::unexpected(kExitUsageOrIo);
  }
  return body;
}

}  // namespace orgledger::tools
