// The workload bench/compare puts through every system (issue 6): the domain's command mix as
// organizations live it, from one seed. Each organization runs a script — its people sign up, one
// creates it, registers products, adds members (some from other organizations), changes a role,
// grants products, builds a team, lets support in and sometimes revokes it, removes someone, and
// one organization in three has an abuse report taken through its stages — and many scripts run
// interleaved, as on a busy platform.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

#include "orgledger/commands/command.h"

namespace orgledger::bench {

struct WorkloadShape {
  std::size_t commands = 0;        // the list's length (the last script may be cut short)
  std::uint64_t seed = 0;
  std::size_t interleaved = 1024;  // scripts in progress at once: two commands of one organization
                                   // are about this far apart, more than any concurrency measured
  ledger::Micros now = 0;          // abuse reports are received an hour before it (A1)
};

// Every command is accepted by the rules when the list is decided in order (DOMAIN.md: O1, P1, R1,
// R7, R9, P2, T1–T3, S1, S3–S5, A1–A3, B1, C1, C2, C4).
std::vector<commands::Command> make_workload(const WorkloadShape& shape);

}  // namespace orgledger::bench
