// SQLite as an embedded event store is run: the same events table as PostgreSQL's (payload as JSON
// text: SQLite 3.40 has no jsonb), WAL mode, synchronous = FULL, one writer connection that the
// clients take turns on, one transaction per command.
#pragma once

#include <memory>
#include <string>

#include "peer.h"

namespace orgledger::bench {

// The database file goes into `directory` (which must exist and outlive the peer).
std::unique_ptr<SqlPeer> make_sqlite_peer(const std::string& directory);

}  // namespace orgledger::bench
