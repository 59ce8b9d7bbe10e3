// What decide() reads: the durable state, seen through the overlay of the commands decided
// earlier in the same group commit (ARCHITECTURE.md, Concurrency). The overlay is a State holding
// copies of just the entities those commands touched; lookups try it first.
#pragma once

#include <string>

#include "orgledger/projections/state.h"

namespace orgledger::projections {

class StateView {
 public:
  // `overlay` may be null (no earlier command in the group); both must outlive the view. A State
  // converts implicitly: a plain state is a view without overlay.
  StateView(const State& base, const State* overlay = nullptr) : base_(base), overlay_(overlay) {}

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
    if (overlay_ != nullptr) {
      if (auto it = (overlay_->*map).find(id); it != (overlay_->*map).end()) return &it->second;
    }
    auto it = (base_.*map).find(id);
    return it == (base_.*map).end() ? nullptr : &it->second;
  }

  const State& base_;
  const State* overlay_;
};

}  // namespace orgledger::projections
