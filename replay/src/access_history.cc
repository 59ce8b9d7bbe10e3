#include "orgledger/replay/access_history.h"

#include <algorithm>
#include <map>

#include "orgledger/projections/evolve.h"
#include "orgledger/projections/reverse_lookup.h"
#include "orgledger/replay/org_fold.h"

namespace orgledger::replay {
namespace {

// One reason, told apart from the others of the same user: its kind and what it names.
std::string reason_key(const projections::Reason& reason) {
  std::string key = projections::to_string(reason.kind);
  if (reason.role) key += std::string(":") + projections::to_string(*reason.role);
  key += ":" + reason.team + ":" + reason.grant + ":" + reason.partner_org;
  return key;
}

}  // namespace

std::expected<AccessHistory, ledger::Error> access_history(const ledger::Ledger& ledger, const std::string& org,
                                                           const std::string& product,
                                                           const std::optional<projections::AsOf>& from,
                                                           const std::optional<projections::AsOf>& to,
                                                           ledger::Micros now) {
  auto end = cut_at(ledger, to, now);
  if (!end) return std::unexpected(end.error());
  Cut start{0, 0};
  if (from) {
    auto cut = cut_at(ledger, from, now);
    if (!cut) return std::unexpected(cut.error());
    start = *cut;
  }

  projections::State state;
  std::vector<AccessInterval> intervals;
  std::map<std::pair<std::string, std::string>, std::size_t> open;  // (user, reason key) → interval

  // S2: a support grant ends at its instant, between events if need be.
  auto close_expired = [&](ledger::Micros until) {
    for (auto it = open.begin(); it != open.end();) {
      auto& interval = intervals[it->second];
      const projections::SupportGrant* grant = nullptr;
      if (interval.via.kind == projections::Reason::Kind::support_grant) {
        if (const auto* found = projections::StateView(state).organization(org)) {
          if (auto g = found->grants.find(interval.via.grant); g != found->grants.end()) grant = &g->second;
        }
      }
      if (grant != nullptr && projections::expires_at(*grant) <= until) {
        interval.to = projections::expires_at(*grant);
        it = open.erase(it);
      } else {
        ++it;
      }
    }
  };

  auto folding = for_each_org_event(ledger, org, end->position, [&](const ledger::RecordedEvent& event) {
    close_expired(event.recorded_at());
    projections::evolve(state, event);
    // A command is seen whole, and named by its last position (its events are one change).
    if (!event.ends_command()) return;
    const auto holders = projections::product_access_holders(state, org, product, event.recorded_at());
    std::map<std::pair<std::string, std::string>, const projections::Reason*> now_holding;
    for (const auto& [user, reasons] : holders) {
      for (const auto& reason : reasons) now_holding.emplace(std::pair{user, reason_key(reason)}, &reason);
    }
    for (auto it = open.begin(); it != open.end();) {
      if (now_holding.contains(it->first)) {
        ++it;
        continue;
      }
      intervals[it->second].to_position = event.position();
      intervals[it->second].to = event.recorded_at();
      it = open.erase(it);
    }
    for (const auto& [key, reason] : now_holding) {
      if (open.contains(key)) continue;
      open.emplace(key, intervals.size());
      intervals.push_back(
          AccessInterval{key.first, *reason, event.position(), event.recorded_at(), std::nullopt, std::nullopt});
    }
  });
  if (!folding) return std::unexpected(folding.error());
  close_expired(end->default_at);

  AccessHistory history;
  history.as_of_position = end->position;
  for (auto& interval : intervals) {
    const bool ended_before_start = (interval.to_position && *interval.to_position <= start.position) ||
                                    (!interval.to_position && interval.to && from && *interval.to <= start.default_at);
    if (!ended_before_start) history.intervals.push_back(std::move(interval));
  }
  std::stable_sort(history.intervals.begin(), history.intervals.end(), [](const auto& a, const auto& b) {
    return a.from_position != b.from_position ? a.from_position < b.from_position : a.user < b.user;
  });
  return history;
}

}  // namespace orgledger::replay
