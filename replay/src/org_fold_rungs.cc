#include "orgledger/replay/org_fold_rungs.h"

#include <algorithm>
#include <atomic>
#include <map>
#include <mutex>
#include <set>
#include <vector>

#include "orgledger/projections/evolve.h"
#include "orgledger/replay/org_fold.h"
#include "stream_reads.h"

namespace orgledger::replay {
namespace {

// The fold of the organization's events up to one of them (at `position`, version `version` of its
// stream), with the events up to there of the tickets its grants had named by then (`tickets`).
struct Rung {
  ledger::Position position = 0;
  ledger::StreamVersion version = 0;
  projections::State state;
  std::set<std::string> tickets;
  std::size_t bytes = 0;  // rung_bytes
};

// Map and set entries: the entry itself, its key's characters outside the string, and a node's or
// slot's overhead. An estimate of what the allocator holds, not an exact count.
template <typename Map>
std::size_t entries_bytes(const Map& map) {
  std::size_t bytes = map.capacity() * sizeof(typename Map::value_type);
  for (const auto& entry : map) bytes += entry.first.size();
  return bytes;
}

std::size_t member_bytes(const projections::Member& member) {
  return member.contact_prefs.capacity() * sizeof(projections::ContactPref) + entries_bytes(member.products);
}

std::size_t product_bytes(const projections::Product& product) {
  std::size_t bytes = product.kind.size() + product.name.size() +
                      product.payments_due_recorded.capacity() * sizeof(ledger::Micros) +
                      product.payments_owed.capacity() * sizeof(projections::PaymentOwed);
  if (product.auto_renewal) bytes += product.auto_renewal->payment_method.size();
  for (const auto& owed : product.payments_owed) bytes += owed.payment_method.size();
  return bytes;
}

std::size_t team_bytes(const projections::Team& team) {
  return team.name.size() + entries_bytes(team.members) + entries_bytes(team.products);
}

std::size_t grant_bytes(const projections::SupportGrant& grant) {
  return grant.ticket.size() + grant.granted_by.size() + (grant.resource ? grant.resource->size() : 0);
}

std::size_t relation_bytes(const projections::PartnerRelation& relation) {
  std::size_t bytes = sizeof(relation) + relation.partner_org.size() + entries_bytes(relation.managers);
  for (const auto& product : relation.products) bytes += sizeof(product) + product.size();
  return bytes;
}

// What a rung holds that no other rung shares: its copy of the organization (the fold copies it
// on every change), its ticket names, and the rung itself with a node per map entry it copied.
std::size_t rung_bytes(const Rung& rung, const std::string& org) {
  constexpr std::size_t kNodeOverhead = 64;
  std::size_t bytes = sizeof(Rung) + rung.tickets.size() * (sizeof(std::string) + kNodeOverhead);
  for (const auto& ticket : rung.tickets) bytes += ticket.size();
  const auto* organization = rung.state.organizations.lookup(org);
  if (organization == nullptr) return bytes;
  bytes += sizeof(projections::Organization) + organization->name.size() + kNodeOverhead;
  bytes += entries_bytes(organization->members) + entries_bytes(organization->products) +
           entries_bytes(organization->teams) + entries_bytes(organization->grants);
  for (const auto& [id, member] : organization->members) bytes += member_bytes(member);
  for (const auto& [id, product] : organization->products) bytes += product_bytes(product);
  for (const auto& [id, team] : organization->teams) bytes += team_bytes(team);
  for (const auto& [id, grant] : organization->grants) bytes += grant_bytes(grant);
  for (const auto& relation : organization->relations) bytes += relation_bytes(relation);
  return bytes;
}
using RungPtr = std::shared_ptr<const Rung>;

// A rung from the state of a fold that went past its point: the fold also applied, early, the
// events up to here of tickets named only later (they touch nothing but their ticket and its
// stream's version: S4's SupportTicketAssigned), which the fold up to this point would not have.
RungPtr rung_at(const projections::State& state, const ledger::RecordedEvent& event,
                const std::set<std::string>& tickets, const std::string& org) {
  auto rung = std::make_shared<Rung>(Rung{event.position(), event.stream_version(), state, tickets});
  std::vector<std::string> unnamed;
  for (const auto& [ticket, value] : rung->state.tickets) {
    if (!tickets.contains(ticket)) unnamed.push_back(ticket);
  }
  for (const auto& ticket : unnamed) {
    rung->state.tickets.erase(ticket);
    rung->state.stream_versions.erase("ticket:" + ticket);
  }
  rung->bytes = rung_bytes(*rung, org);
  return rung;
}

}  // namespace

struct OrgFoldRungs::Ladders {
  struct Ladder {
    std::vector<RungPtr> rungs;  // by position
    std::uint64_t used = 0;
  };
  mutable std::mutex mutex;
  std::map<std::string, Ladder, std::less<>> by_org;
  std::size_t total = 0;
  std::size_t total_bytes = 0;
  std::uint64_t clock = 0;
  std::atomic<std::size_t> events_folded{0};

  // The newest rung of `org` at or before `cut`; null when none.
  RungPtr nearest(const std::string& org, ledger::Position cut) {
    std::lock_guard lock(mutex);
    auto it = by_org.find(org);
    if (it == by_org.end()) return nullptr;
    it->second.used = ++clock;
    const auto& rungs = it->second.rungs;
    auto after = std::upper_bound(rungs.begin(), rungs.end(), cut,
                                  [](ledger::Position p, const RungPtr& rung) { return p < rung->position; });
    return after == rungs.begin() ? nullptr : *std::prev(after);
  }

  // Keeps `made` (new rungs of `org`, by position), then evicts the least recently used ladders
  // (the oldest rungs of `org` itself when it alone is over a bound).
  void keep(const std::string& org, std::vector<RungPtr> made, const Options& bounds) {
    if (made.empty()) return;
    std::lock_guard lock(mutex);
    auto& ladder = by_org[org];
    ladder.used = ++clock;
    for (auto& rung : made) {
      auto at = std::lower_bound(ladder.rungs.begin(), ladder.rungs.end(), rung->position,
                                 [](const RungPtr& kept, ledger::Position p) { return kept->position < p; });
      if (at != ladder.rungs.end() && (*at)->position == rung->position) continue;  // a concurrent fold's
      ++total;
      total_bytes += rung->bytes;
      ladder.rungs.insert(at, std::move(rung));
    }
    while (total > bounds.max_rungs || total_bytes > bounds.max_bytes) {
      auto oldest = by_org.end();
      for (auto it = by_org.begin(); it != by_org.end(); ++it) {
        if (it->first != org && (oldest == by_org.end() || it->second.used < oldest->second.used)) oldest = it;
      }
      if (oldest == by_org.end()) {
        drop_oldest_rungs(ladder, bounds);
        break;
      }
      for (const auto& rung : oldest->second.rungs) total_bytes -= rung->bytes;
      total -= oldest->second.rungs.size();
      by_org.erase(oldest);
    }
  }

  // `ladder` alone is over a bound: its oldest rungs go until it is not.
  void drop_oldest_rungs(Ladder& ladder, const Options& bounds) {
    auto first_kept = ladder.rungs.begin();
    while (first_kept != ladder.rungs.end() && (total > bounds.max_rungs || total_bytes > bounds.max_bytes)) {
      total_bytes -= (*first_kept)->bytes;
      --total;
      ++first_kept;
    }
    ladder.rungs.erase(ladder.rungs.begin(), first_kept);
  }
};

OrgFoldRungs::OrgFoldRungs(Options options)
    : options_{std::max<std::size_t>(options.every, 1), options.max_rungs, options.max_bytes},
      ladders_(std::make_unique<Ladders>()) {}

OrgFoldRungs::~OrgFoldRungs() = default;

std::expected<projections::Folded, ledger::Error> OrgFoldRungs::fold(const ledger::Ledger& ledger,
                                                                    const std::string& org,
                                                                    const std::optional<projections::AsOf>& as_of,
                                                                    ledger::Micros now) {
  auto cut = cut_at(ledger, as_of, now);
  if (!cut) return std::unexpected(cut.error());
  const std::string stream = "org:" + org;
  const RungPtr start = ladders_->nearest(org, cut->position);
  const ledger::Position from = start ? start->position : 0;
  std::set<std::string> tickets = start ? start->tickets : std::set<std::string>{};

  // The organization's events past the rung, then its tickets': from past the rung for those the
  // rung knows, from their first event for those named since (S4).
  std::vector<ledger::RecordedEvent> events;
  const auto version = start ? start->version : 0;
  if (auto read = read_stream_between(ledger, stream, version + 1, from, cut->position, events); !read) {
    return std::unexpected(read.error());
  }
  std::set<std::string> named_since;
  for (const auto& event : events) {
    if (auto ticket = granted_ticket(event); ticket && !tickets.contains(*ticket)) named_since.insert(std::move(*ticket));
  }
  auto read_ticket = [&](const std::string& ticket, ledger::Position after) {
    return read_stream_between(ledger, "ticket:" + ticket, 1, after, cut->position, events);
  };
  for (const auto& ticket : tickets) {
    if (auto read = read_ticket(ticket, from); !read) return std::unexpected(read.error());
  }
  for (const auto& ticket : named_since) {
    if (auto read = read_ticket(ticket, 0); !read) return std::unexpected(read.error());
  }
  std::sort(events.begin(), events.end(), [](const auto& a, const auto& b) { return a.position() < b.position(); });

  // The fold, keeping a rung at every `every`-th event of the organization's stream. Events of the
  // tickets named since that come before the rung go first: they commute with the organization's
  // events in between, which do not touch those tickets.
  projections::Folded folded{.state = start ? start->state : projections::State{},
                             .as_of_position = cut->position,
                             .default_at = cut->default_at};
  std::vector<RungPtr> made;
  for (const auto& event : events) {
    projections::evolve(folded.state, event);
    if (event.stream() != stream) continue;
    if (auto ticket = granted_ticket(event)) tickets.insert(std::move(*ticket));
    if (event.stream_version() % options_.every == 0) made.push_back(rung_at(folded.state, event, tickets, org));
  }
  ladders_->events_folded += events.size();
  ladders_->keep(org, std::move(made), options_);
  return folded;
}

std::size_t OrgFoldRungs::rungs() const {
  std::lock_guard lock(ladders_->mutex);
  return ladders_->total;
}

std::size_t OrgFoldRungs::rungs_bytes() const {
  std::lock_guard lock(ladders_->mutex);
  return ladders_->total_bytes;
}

std::size_t OrgFoldRungs::events_folded() const { return ladders_->events_folded.load(); }

}  // namespace orgledger::replay
