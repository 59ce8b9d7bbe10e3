// The query subcommands' server side (API.md: the subcommands that run against a server): a
// query's answer is the body of the HTTP route that answers the same question, so a subcommand
// prints one body the same way whether it was built here from the data directory or asked of a
// server.
#pragma once

#include <expected>
#include <optional>
#include <string>
#include <string_view>

#include "cli_args.h"
#include "orgledger/api/answer_json.h"
#include "remote_server.h"

namespace orgledger::tools {

// `spec` with the options every remote-capable subcommand also takes (--server, --cacert).
OptionSpec with_remote(OptionSpec spec);

// A request target: a path, then name=value pairs, each value percent-encoded.
class Target {
 public:
  explicit Target(std::string path) : text_(std::move(path)) {}
  Target& add(std::string_view name, const std::optional<std::string>& value);
  // --as-of and --at as the route's as_of and at (D3); both checked first, as the local path does.
  Target& add_as_of_at(const CliArgs& args);
  const std::string& str() const { return text_; }

 private:
  std::string text_;
  bool has_query_ = false;
};

// The body of a 200 answer to GET `target`, parsed. Otherwise the failure is printed and its exit
// code returned: a not_found problem as the local path prints one (stdout, exit 1); any other
// status, an unreachable server or an answer that is not JSON on stderr, with the subcommand's
// name (exit 2).
std::expected<api::Json, int> remote_json(RemoteServer& server, const Target& target, const CliArgs& args,
                                          const char* subcommand);

// The same for a failed answer already in hand (status and body): printed, and its exit code.
int remote_failure(int status, const std::string& body, const CliArgs& args, const char* subcommand);

}  // namespace orgledger::tools
