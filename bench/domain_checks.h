// In-process permission checks (projections::check) against a built State: a mix of the questions
// the account platform asks, drawn from the state so that each kind has the outcome it is meant to.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <vector>

#include "orgledger/projections/access.h"

namespace orgledger::bench {

enum class CheckKind : std::uint8_t {
  product_by_role,         // product.access of a legal representative or administrator
  product_by_direct,       // … of a member with a direct grant of that product (P2)
  product_by_team,         // … of a member of a team granted that product (T3)
  product_without_grant,   // … of a collaborator or external who has no way to it (denied)
  product_non_member,      // … of a registered user who is not a member (denied)
  billing,                 // org.billing of any member
  manage_members,          // org.manage_members of any member
  support_assigned_agent,  // support.access of the agent holding an active grant's ticket
  support_other_agent,     // … of another agent (denied, S4)
};
inline constexpr std::size_t kCheckKinds = 9;

const char* to_string(CheckKind kind);
// Allowed (true) or denied (false) by construction; nullopt when it depends on the member's role.
std::optional<bool> expected_outcome(CheckKind kind);

struct CheckCase {
  CheckKind kind;
  projections::CheckRequest request;
};

// `count` checks in issue 3's mix, drawn from `state` (which must hold organizations, and support
// grants with assigned tickets for the support kinds).
std::vector<CheckCase> make_check_cases(const projections::State& state, std::size_t count, std::uint64_t seed);

struct CheckTally {
  std::size_t asked = 0;
  std::size_t allowed = 0;
};

struct CheckRun {
  std::vector<double> nanos;        // each check timed alone with steady_clock
  std::vector<double> batch_nanos;  // per check, for batches of 16 timed together
  double timer_nanos = 0;           // median of an empty timed span: the overhead inside `nanos`
  double seconds = 0;               // the loop of checks timed alone, timer included
  std::array<CheckTally, kCheckKinds> tally{};
};

// Runs every case once timed alone, then again in batches of 16, against `state` at instant `at`.
CheckRun run_checks(const projections::State& state, const std::vector<CheckCase>& cases, ledger::Micros at);

}  // namespace orgledger::bench
