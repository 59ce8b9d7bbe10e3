#include "org_query.h"

#include <cstdio>
#include <nlohmann/json.hpp>

#include "query_support.h"
#include "remote_query.h"

namespace orgledger::tools {
namespace {

std::expected<api::Json, int> org_query_body(const CliArgs& args, const OrgQuery& query, const std::string& org_id) {
  if (auto server = RemoteServer::from_args(args)) {
    Target target("/v1/orgs/" + url_encode(org_id) + "/" + query.route);
    return remote_json(*server, target.add_as_of_at(args), args, query.subcommand);
  }
  auto folded = load_state(args, query.subcommand);
  if (!folded) return std::unexpected(kExitUsageOrIo);
  auto org = folded->state.organizations.find(org_id);
  if (org == folded->state.organizations.end()) {
    print_problem(args, api::problem_json(commands::Code::not_found, "", "organization " + org_id + " does not exist"));
    return std::unexpected(kExitRejected);
  }
  return query.render(args, *folded, org_id, org->second);
}

}  // namespace

int run_org_query(const Args& raw, const OrgQuery& query) {
  const CliArgs args(raw, with_remote(query.options));
  if (args.positional().size() != 1) throw UsageError(std::string(query.subcommand) + " takes one organization id");
  const std::string org_id = args.positional().front();
  const auto body = org_query_body(args, query, org_id);
  if (!body) return body.error();
  if (args.flag("json")) {
    std::printf("%s\n", body->dump().c_str());
    return kExitOk;
  }
  std::printf("%s (as of position %llu)\n", org_id.c_str(), (*body)["as_of_position"].get<unsigned long long>());
  query.print_lines(*body);
  return kExitOk;
}

}  // namespace orgledger::tools
