// Digests of the projections (`orgledger replay`): the same log gives the same digests on any
// machine, so two replays, two machines or a replay and the live state can be compared by a line.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "orgledger/projections/state.h"

namespace orgledger::projections {

struct ProjectionDigest {
  std::string name;  // users, organizations, members, products, teams, support_grants, tickets, abuse_reports, streams
  std::size_t entities = 0;
  ledger::Hash digest{};
};

// Each projection in a canonical byte form, hashed with SHA-256 (grammar in digest.cc).
std::vector<ProjectionDigest> projection_digests(const State& state);

}  // namespace orgledger::projections
