// The one-organization queries of the command line (`members`, `partners`, `renewals`): the body of
// GET /v1/orgs/{org}/<route>, rendered here from the data directory or asked of a server, then
// printed whole with --json or as a header line and one line per entry.
#pragma once

#include <functional>
#include <string>

#include "cli_args.h"
#include "orgledger/api/answer_json.h"
#include "orgledger/projections/as_of.h"
#include "subcommands.h"

namespace orgledger::tools {

struct OrgQuery {
  const char* subcommand;  // "members"
  const char* route;       // the last segment of the route: GET /v1/orgs/{org}/<route>
  OptionSpec options;      // the subcommand's own (--server and --cacert are added)
  // The route's body, from the organization's folded state (it exists there).
  std::function<api::Json(const CliArgs&, const projections::Folded&, const std::string& org_id,
                          const projections::Organization&)>
      render;
  // The lines after "ORG (as of position P)", without --json.
  std::function<void(const api::Json& body)> print_lines;
};

// Runs `query` with the command line `raw` (one positional: the organization); the exit code.
int run_org_query(const Args& raw, const OrgQuery& query);

}  // namespace orgledger::tools
