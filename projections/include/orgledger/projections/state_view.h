// What decide() and the queries read: one state by entity, found by id or null. The writer's state
// already holds the commands decided earlier in the same group commit (commands/processor.h: its
// working version, copied on write from the published one), so no overlay is needed.
#pragma once

#include <string>

#include "orgledger/projections/state.h"

namespace orgledger::projections {

class StateView {
 public:
  // `state` must outlive the view. A State converts implicitly.
  StateView(const State& state) : state_(state) {}

  const User* user(std::string_view id) const { return find(&State::users, id); }
  const Organization* organization(std::string_view id) const { return find(&State::organizations, id); }
  const Ticket* ticket(std::string_view id) const { return find(&State::tickets, id); }
  const AbuseReport* report(std::string_view id) const { return find(&State::reports, id); }
  const IdentityCase* identity_case(std::string_view id) const { return find(&State::cases, id); }
  const Order* order(std::string_view id) const { return find(&State::orders, id); }
  const SortedIdSet* partner_clients(std::string_view partner) const { return find(&State::partner_clients, partner); }
  ledger::StreamVersion stream_version(std::string_view stream) const {
    const auto* version = find(&State::stream_versions, stream);
    return version == nullptr ? 0 : *version;
  }

 private:
  template <typename Map>
  const typename Map::mapped_type* find(Map State::*map, std::string_view id) const {
    return (state_.*map).lookup(id);
  }

  const State& state_;
};

}  // namespace orgledger::projections
