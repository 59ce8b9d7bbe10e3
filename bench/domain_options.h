// Command line of domain_bench.
#pragma once

#include <cstddef>
#include <cstdint>
#include <expected>
#include <string>

namespace orgledger::bench {

struct DomainOptions {
  std::string dir = "/tmp";  // the store goes into a fresh directory under it, removed at the end
  // Scale of the log (issue 3). Given only one of --users / --orgs, the other keeps the ratio of
  // 10 users per organization; support grants are one per 5 organizations unless --grants.
  std::size_t users = 1'000'000;
  std::size_t orgs = 100'000;
  std::size_t support_grants = 20'000;
  std::size_t abuse_reports = 0;  // --reports: filed among the organizations, every stage spread over the log
  std::string keep_store;         // replay_bench --keep-store DIR: the store is written there and kept (for serve),
                                  // or reused when it already holds one
  std::string only;               // replay_bench --only reports: the abuse reports' figures alone
  std::uint64_t seed = 3;  // every random choice of the workload comes from it
  std::size_t checks = 1'000'000;
  std::size_t async_commands = 50'000;
  std::size_t async_in_flight = 256;
  std::size_t blocking_commands = 5'000;
};

// Parses argv; the error is a message for the user (usage included).
std::expected<DomainOptions, std::string> parse_domain_options(int argc, char** argv);

}  // namespace orgledger::bench
