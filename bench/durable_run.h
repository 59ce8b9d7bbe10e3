// One timed run of durable commands at a given concurrency, the same measure for every system of
// bench/compare: how many commands and events were durable, in how long, each one's latency.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "orgledger/commands/command.h"
#include "peer.h"

namespace orgledger::bench {

struct DurableRun {
  std::size_t commands = 0;  // answered as durable
  std::size_t events = 0;
  std::size_t refused = 0;   // by a rule (orgledger), should be none: the workload is valid
  std::size_t retries = 0;   // transactions run again after losing a version race (peers)
  std::string first_problem;
  double seconds = 0;
  std::vector<double> micros;  // each command's submit-to-durable time
  double commands_per_second() const { return seconds > 0 ? static_cast<double>(commands) / seconds : 0; }
  double events_per_second() const { return seconds > 0 ? static_cast<double>(events) / seconds : 0; }
};

// orgledger: a fresh store under `parent`, a CommandProcessor on it, and `workload` from its first
// command with at most `concurrency` unanswered, submitted for `seconds`.
DurableRun orgledger_durable_run(const std::string& parent, const std::vector<commands::Command>& workload,
                                 std::size_t concurrency, double seconds);

// The ledger alone, as the peers are measured: a fresh store under `parent` and `appends` (the
// events the processor decided, with the optimistic version check of each command's first
// stream) from the first on with append_async, at most `concurrency` unanswered, for `seconds`.
DurableRun ledger_append_run(const std::string& parent, const std::vector<ledger::CommandAppend>& appends,
                             std::size_t concurrency, double seconds);

// The commands of `ledger`'s log as appends again: each event's envelope as its draft (the writer
// patches position, version, time and chain again), expecting the first stream at the version it
// had before the command.
std::vector<ledger::CommandAppend> appends_from_log(const ledger::Ledger& ledger);

// A peer (emptied first): `concurrency` threads, each with its own session, take the commands in
// order and append them, for `seconds`.
DurableRun peer_durable_run(SqlPeer& peer, const std::vector<PeerCommand>& commands, std::size_t concurrency,
                            double seconds);

}  // namespace orgledger::bench
