// Commands through the command processor (decide on the ledger's writer, append, fold): issue 3's
// throughput with many commands in flight, and the latency of one command at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "orgledger/commands/processor.h"

namespace orgledger::bench {

// `count` commands that the rules accept against `state` (and against each other, in any order):
// AddMember of registered non-members, GrantProductAccess, AddTeamMembers of members not in the
// team, GrantSupportAccess — each by the organization's legal representative. Command ids start
// with `id_prefix`.
std::vector<commands::Command> make_commands(const projections::State& state, std::size_t count, std::uint64_t seed,
                                             const std::string& id_prefix);

struct CommandRun {
  std::size_t accepted = 0;
  std::size_t refused = 0;  // by a rule (CommandRejected written) or by validation
  std::size_t failed = 0;   // by the ledger
  std::string first_problem;
  double seconds = 0;
  std::vector<double> micros;  // each command's submit-to-answer time
  double per_second() const { return seconds > 0 ? static_cast<double>(accepted + refused) / seconds : 0; }
};

// Submits with CommandProcessor::submit(command, callback), at most `in_flight` unanswered, from
// the first command on; stops submitting after `max_seconds` (the run then ends when the commands
// in flight are answered, and `micros` holds only the submitted ones).
CommandRun submit_async(commands::CommandProcessor& processor, std::vector<commands::Command> commands,
                        std::size_t in_flight, double max_seconds = std::numeric_limits<double>::infinity());

// Submits one at a time with the blocking CommandProcessor::submit(command).
CommandRun submit_blocking(commands::CommandProcessor& processor, std::vector<commands::Command> commands);

}  // namespace orgledger::bench
