// What bench/compare asks of an SQL peer (PostgreSQL, SQLite), and the data it hands them: the
// same events orgledger recorded, grouped by command, and the same read model its checks use.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "orgledger/ledger/ledger.h"
#include "orgledger/projections/state.h"
#include "read_workloads.h"

namespace orgledger::bench {

// One event as the peers store it: a JSON payload (the event's `data` as API.md shows it) and
// JSON metadata (actor, command id, correlation id), as Marten and Message DB keep them.
struct PeerEvent {
  std::string stream;
  ledger::StreamVersion version = 0;  // as orgledger recorded it; bulk loads use it, durable runs
                                      // take the stream's version inside their transaction
  std::string type;
  std::string payload;
  std::string metadata;
};

// The events of one command: appended in one transaction.
struct PeerCommand {
  std::vector<PeerEvent> events;
};

// The whole log of `ledger`, command by command, in log order.
std::vector<PeerCommand> peer_commands_from_log(const ledger::Ledger& ledger);

// The read model an SQL user keeps for the permission question (direct grants, team grants and
// partner managers, C2).
struct ReadModel {
  struct Member { std::string org, user, role; };
  struct Grant { std::string org, holder, product; };  // holder: a user (direct) or a team
  struct Product { std::string org, product; };
  std::vector<Member> members;
  std::vector<Product> products;
  std::vector<Grant> member_products;
  std::vector<Grant> team_members;  // product holds the user here: (org, team, user)
  std::vector<Grant> team_products;
  // C2: the active partner relations: (client, partner, product in scope or '*' for full) and
  // (client, partner, manager).
  std::vector<Grant> partner_scope;
  std::vector<Grant> partner_managers;
};

ReadModel read_model_of(const projections::State& state);

// "Can `user` access `product` of `org`?"
struct AccessQuestion {
  std::string org, user, product;
};

// `count` questions over `state`, from `seed`: mostly members of all roles, some outsiders, every
// product of the organization.
std::vector<AccessQuestion> access_questions(const projections::State& state, std::size_t count, std::uint64_t seed);

// One writer's handle: a connection (PostgreSQL) or a turn at the single connection (SQLite).
class PeerSession {
 public:
  virtual ~PeerSession() = default;
  // Appends `command` in one durable transaction with the optimistic version check of each of its
  // streams; returns how many times it had to retry after losing a race on a version.
  virtual std::size_t append(const PeerCommand& command) = 0;
};

class SqlPeer {
 public:
  virtual ~SqlPeer() = default;
  virtual std::string name() const = 0;
  // Empties the events table (a fresh store for the next run).
  virtual void reset() = 0;
  virtual std::unique_ptr<PeerSession> session() = 0;
  // Loads `commands` fast (large transactions, not what is measured), then makes the store ready
  // to be measured (flushed, statistics up to date).
  virtual void bulk_load(const std::vector<PeerCommand>& commands) = 0;
  // Reads every event in position order, as a projection rebuild does; fails unless `expected`.
  virtual ReadRun read_all(std::size_t expected) = 0;
  // Bytes on disk of the events table and its indexes.
  virtual std::uintmax_t bytes_on_disk() = 0;
  virtual void load_read_model(const ReadModel& model) = 0;
  // Asks each question in turn with the SQL query; each answer, and each one's time in µs.
  virtual std::vector<bool> ask(const std::vector<AccessQuestion>& questions, std::vector<double>& micros) = 0;
};

// The SQL every peer runs for the permission question, with $1 org, $2 user, $3 product (SQLite
// reads ?1…?3 the same way): equivalent to projections::check(product.access) — a member with a
// product the organization has, by role, direct grant, or a team's grant.
extern const char* const kAccessQuery;

}  // namespace orgledger::bench
