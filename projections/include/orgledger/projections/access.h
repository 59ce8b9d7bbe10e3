// The permission check (API.md check actions) with its reasons: every grant that allows, each
// with the position that gave it — or, when denied, what was missing. A pure function of the
// state and the instant `at` at which time rules (S2) are evaluated.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orgledger/projections/state.h"
#include "orgledger/projections/state_view.h"

namespace orgledger::projections {

enum class Action {
  product_access,                   // needs product
  org_billing,
  org_manage_members,
  org_manage_teams,
  org_assign_legal_representative,
  org_edit_details,
  org_wide_share,
  support_access,                   // user is agent:<id>, needs scope, optional resource
};

std::optional<Action> parse_action(std::string_view text);  // "product.access", "org.billing", …
const char* to_string(Action action);

struct Reason {
  enum class Kind { role, team, direct_grant, support_grant, partner } kind;
  std::optional<Role> role;  // kind role
  std::string team;          // kind team
  std::string grant;         // kind support_grant
  Position since_position = 0;
  std::string partner_org;   // kind partner (C2)
};

const char* to_string(Reason::Kind kind);

struct CheckRequest {
  std::string org;
  std::string user;
  Action action = Action::product_access;
  std::optional<std::string> product;
  std::optional<SupportScope> scope;
  std::optional<std::string> resource;
};

struct CheckResult {
  bool allowed = false;
  std::vector<Reason> because;       // when allowed: every reason, not just the first
  std::vector<std::string> missing;  // when denied: what would have allowed it
};

// S2: a support grant gives nothing at or after recorded_at + 168 h.
inline constexpr Micros kSupportGrantLifetime = 168LL * 3600 * 1'000'000;

// A support grant's state at an instant (API.md support-grants): S2's expires_at, S3's revocation.
enum class GrantState { active, revoked, expired };
const char* to_string(GrantState state);
inline Micros expires_at(const SupportGrant& grant) { return grant.recorded_at + kSupportGrantLifetime; }
GrantState grant_state(const SupportGrant& grant, Micros at);

// Whether `grant` is active at `at`: recorded, not revoked, not past its 7 days (S2, S3).
bool grant_active(const SupportGrant& grant, Micros at);

// The check. An unknown organization or product is a denial here; API layers map it to not_found.
CheckResult check(const StateView& state, const CheckRequest& request, Micros at);

// check(…).allowed, without gathering reasons or wording what is missing: the hot path of callers
// that only need yes or no (product.access answers without a single allocation).
bool allows(const StateView& state, const CheckRequest& request, Micros at);

// The Roles table's billing capability: legal representatives always; everyone else by the billing
// flag, which defaults to yes for administrators only.
bool billing_allowed(const Member& member);

// Reasons `user` can access `product` of `org` now (P2, T3, roles): empty when they cannot.
std::vector<Reason> product_access_reasons(const Organization& org, const std::string& user, const std::string& product);
// C2: the reasons `user` has through partner relations of `client`: an assigned manager of an
// active relation covering `product` (product.access), or with billing (org.billing when `product`
// is absent). since_position: the later of the relation's establishment and the assignment.
std::vector<Reason> partner_reasons(const Organization& client, std::string_view user,
                                    const std::optional<std::string>& product);

// Whether product_access_reasons would find any, stopping at the first.
bool has_product_access(const Organization& org, std::string_view user, std::string_view product);

}  // namespace orgledger::projections
