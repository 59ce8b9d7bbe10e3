#include "domain_options.h"

#include <optional>
#include <string_view>

#include "bench_options.h"

namespace orgledger::bench {
namespace {

constexpr const char* kUsage =
    "usage: domain_bench [--dir DIR] [--users N] [--orgs N] [--grants N] [--reports N] [--seed N] [--checks N]\n"
    "                    [--commands N] [--in-flight N] [--blocking-commands N] [--keep-store DIR]\n"
    "                    [--only reports] (replay_bench: the abuse reports' figures alone)\n"
    "  defaults: 1000000 users, 100000 orgs (10 users per org if only one is given), orgs/5 support\n"
    "  grants, no abuse reports, 1000000 checks, 50000 commands with 256 in flight, 5000 blocking commands\n";

constexpr std::size_t kUsersPerOrg = 10;
constexpr std::size_t kOrgsPerSupportGrant = 5;
// An organization has up to 15 members; fewer users than that could not fill one.
constexpr std::size_t kMinUsers = 16;

bool positive(std::string_view value, std::size_t& out) { return parse_number(value, out) && out > 0; }

}  // namespace

std::expected<DomainOptions, std::string> parse_domain_options(int argc, char** argv) {
  DomainOptions options;
  std::optional<std::size_t> users, orgs, grants;
  auto parsed = parse_flags(argc, argv, kUsage, [&](std::string_view name, std::string_view value) {
    std::size_t number = 0;
    if (name == "--dir") {
      options.dir = std::string(value);
      return !value.empty();
    }
    if (name == "--keep-store") {
      options.keep_store = std::string(value);
      return !value.empty();
    }
    if (name == "--only") {
      options.only = std::string(value);
      return value == "reports";
    }
    if (name == "--seed") return parse_number(value, options.seed);
    if (name == "--grants") return parse_number(value, grants.emplace());
    if (name == "--reports") return parse_number(value, options.abuse_reports);
    if (!positive(value, number)) return false;
    if (name == "--users")
      users = number;
    else if (name == "--orgs")
      orgs = number;
    else if (name == "--checks")
      options.checks = number;
    else if (name == "--commands")
      options.async_commands = number;
    else if (name == "--in-flight")
      options.async_in_flight = number;
    else if (name == "--blocking-commands")
      options.blocking_commands = number;
    else
      return false;
    return true;
  });
  if (!parsed) return std::unexpected(std::move(parsed.error()));
  if (users || orgs) {
    options.orgs = orgs.value_or(std::max<std::size_t>(1, *users / kUsersPerOrg));
    options.users = users.value_or(*orgs * kUsersPerOrg);
  }
  options.support_grants = grants.value_or(options.orgs / kOrgsPerSupportGrant);
  if (options.users < kMinUsers) return std::unexpected("--users must be at least 16\n" + std::string(kUsage));
  if (options.support_grants > options.orgs) {
    return std::unexpected("--grants may not exceed the organizations (one grant per organization)\n" +
                           std::string(kUsage));
  }
  return options;
}

}  // namespace orgledger::bench
