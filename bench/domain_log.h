// The realistic log of issue 3, written straight into the ledger: users, organizations with their
// members, products, teams and grants, active support grants with their tickets assigned, and
// abuse reports whose stages are spread over the log.
//
// Every event is one the command processor could have decided (DOMAIN.md): users are registered
// before they are added, each organization is created by its legal representative, who adds the
// others, registers its products, creates its teams and grants support access; P2 grants go only
// to collaborators and externals, team members are members. The processor is not used: many
// decisions go into one command (one per organization) so that the log is written fast.
#pragma once

#include <cstddef>
#include <cstdint>

#include "orgledger/ledger/ledger.h"

namespace orgledger::bench {

struct LogShape {
  std::size_t users = 0;
  std::size_t orgs = 0;
  std::size_t support_grants = 0;  // at most one per organization
  std::size_t abuse_reports = 0;   // filed among the organizations, each stage a command (A1–A6)
  std::uint64_t seed = 0;
};

// What was written, by kind.
struct LogStats {
  std::size_t events = 0;
  std::size_t commands = 0;
  std::size_t users = 0;
  std::size_t orgs = 0;
  std::size_t members = 0;  // MemberAdded, legal representatives included
  std::size_t administrators = 0;
  std::size_t collaborators = 0;
  std::size_t externals = 0;
  std::size_t members_with_products = 0;  // MemberAdded naming a product (P2 in the same batch, R7)
  std::size_t products = 0;
  std::size_t teams = 0;
  std::size_t team_member_events = 0;  // TeamMembersAdded
  std::size_t team_memberships = 0;    // users named by them
  std::size_t team_product_grants = 0;
  std::size_t product_access_grants = 0;  // ProductAccessGranted
  std::size_t support_grants = 0;
  std::size_t tickets_assigned = 0;
  std::size_t abuse_reports = 0;
  std::size_t abuse_events = 0;  // every stage of every report
  double seconds = 0;
};

// Appends the log to an empty `ledger` with append_async and a bounded number of commands in
// flight; returns once every event is durable.
LogStats write_log(ledger::Ledger& ledger, const LogShape& shape);

}  // namespace orgledger::bench
