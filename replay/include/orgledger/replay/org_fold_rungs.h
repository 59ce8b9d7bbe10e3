// D3 for one organization at a cost that does not grow with its history: folds of the
// organization kept in memory every `every` events of its stream ("rungs"), so that a question as
// of a past point folds at most `every` of its events past the nearest rung at or before it (plus
// the events of the tickets its grants name, S4), not everything from its first event
// (org_fold.h). Found by the soak of issue 17: with its churn on a few organizations, members as of
// a random past position drifted from 16 ms to 3 s in 30 minutes.
//
// A rung is a prefix of the fold: the organization's events up to one of them, and the events up
// to it of the tickets named so far. Rungs are made by the questions themselves (none is stored:
// after a restart the first question about an organization pays its history once) and evicted
// least recently used first.
#pragma once

#include <cstddef>
#include <expected>
#include <memory>
#include <optional>
#include <string>

#include "orgledger/ledger/ledger.h"
#include "orgledger/projections/as_of.h"

namespace orgledger::replay {

class OrgFoldRungs {
 public:
  struct Options {
    std::size_t every = 2048;     // events of the organization's stream between two rungs; ≥ 1
    std::size_t max_rungs = 4096;  // over every organization
    // Over every organization, by rung_bytes' estimate: each rung owns a copy of its organization
    // (the rest of its state is shared), so a large organization's rungs weigh more. The count
    // alone would let 4 096 rungs of a 10 000-member organization hold gigabytes.
    std::size_t max_bytes = 32 << 20;
  };
  explicit OrgFoldRungs(Options options);
  ~OrgFoldRungs();
  OrgFoldRungs(const OrgFoldRungs&) = delete;
  OrgFoldRungs& operator=(const OrgFoldRungs&) = delete;

  // The same answer as fold_org_as_of(ledger, org, as_of, now) — state, as_of_position and
  // default_at — from the nearest rung at or before the cut; the rungs passed on the way are kept.
  // Thread-safe (the folds run outside the lock). Errors: the ledger's.
  std::expected<projections::Folded, ledger::Error> fold(const ledger::Ledger& ledger, const std::string& org,
                                                        const std::optional<projections::AsOf>& as_of,
                                                        ledger::Micros now);

  // For tests and metrics: rungs held, their estimated bytes, and events folded by fold() since
  // the start.
  std::size_t rungs() const;
  std::size_t rungs_bytes() const;
  std::size_t events_folded() const;

 private:
  struct Ladders;
  Options options_;
  std::unique_ptr<Ladders> ladders_;
};

}  // namespace orgledger::replay
