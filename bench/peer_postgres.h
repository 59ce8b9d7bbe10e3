// PostgreSQL as its event-store users run it (Marten, Message DB): one events table with a global
// bigserial position, unique (stream, version), a jsonb payload and the recorded time; one
// transaction per command with the optimistic version check — a single statement, so a single
// round trip, the cheapest way PostgreSQL offers; one connection per client.
#pragma once

#include <memory>
#include <string>

#include "peer.h"

namespace orgledger::bench {

// `conninfo`: a libpq connection string to a database the bench may create tables in.
std::unique_ptr<SqlPeer> make_postgres_peer(const std::string& conninfo);

}  // namespace orgledger::bench
