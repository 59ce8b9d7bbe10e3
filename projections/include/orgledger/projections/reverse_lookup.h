// The audit questions turned around (API.md who-can, what-can, access history): not "may U do A"
// but "who may do A" and "what may U do" — complete, each answer with its reasons, computed with
// the same check() as every permission question so that they can never disagree with it.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "orgledger/projections/access.h"

namespace orgledger::projections {

// Everyone who can reach `product` of `org` at `at`, each with every reason: members through
// their role, a direct grant or a team (P2, T3, roles), and support agents through an active
// grant of the product's scope (S1, S2, S3) on a ticket assigned to them (S4). Sorted by user.
std::map<std::string, std::vector<Reason>> product_access_holders(const StateView& state, const std::string& org,
                                                                  const std::string& product, Micros at);

struct Capability {
  Action action = Action::product_access;
  std::optional<std::string> product;  // product.access
  std::optional<SupportScope> scope;   // support.access
  std::vector<Reason> because;
};

// Every user who can do `action` (with `product` for product.access) in `org` at `at`, sorted by
// user, each exactly as check() answers: members for the organization's actions and products;
// for support.access each agent with an active grant of any scope, on any resource.
std::map<std::string, std::vector<Reason>> who_can(const StateView& state, const std::string& org, Action action,
                                                   const std::optional<std::string>& product, Micros at);

// Everything `user` can do in `org` at `at`, as check() answers: product.access per product, each
// organization action, and support.access per scope for an agent. Ordered by action, then product
// or scope. (access_history, unlike this, counts an agent's reach into a product through a grant.)
std::vector<Capability> what_can(const StateView& state, const std::string& org, const std::string& user, Micros at);

}  // namespace orgledger::projections
