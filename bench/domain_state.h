// What the domain workloads share over a folded State: random access to its organizations and
// users, and S1's scope of a product kind.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "bench_support.h"
#include "orgledger/projections/state.h"

namespace orgledger::bench {

using OrganizationEntry = std::pair<const std::string, projections::Organization>;

// The state's organizations and user ids in vectors, to draw from uniformly.
struct StateIndex {
  explicit StateIndex(const projections::State& state) {
    for (const auto& entry : state.organizations) orgs.push_back(&entry);
    for (const auto& [id, user] : state.users) users.push_back(&id);
    if (orgs.empty() || users.empty()) throw BenchFailure("the state has no organization or no user");
  }
  std::vector<const OrganizationEntry*> orgs;
  std::vector<const std::string*> users;
};

// S1: the support scope that reaches products of `kind`, if any (projections::product_kind_of
// the other way round).
inline std::optional<projections::SupportScope> scope_for_kind(std::string_view kind) {
  for (auto scope :
       {projections::SupportScope::mail, projections::SupportScope::kdrive, projections::SupportScope::kchat}) {
    if (projections::product_kind_of(scope) == kind) return scope;
  }
  return std::nullopt;
}

}  // namespace orgledger::bench
