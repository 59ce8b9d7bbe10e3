// Issue 18: in a cluster every node signs checkpoints as the same log, so that a checkpoint from
// any node verifies with one public key and one origin. Before its signer starts, a node settles
// the cluster's signing identity (cluster.h) and keeps that key in its own key file.
#pragma once

#include <expected>
#include <functional>
#include <string>

#include "orgledger/cluster/cluster.h"
#include "orgledger/ledger/checkpointer.h"
#include "orgledger/vault/vault.h"

namespace orgledger::tools {

// Makes `signer` (as --origin and --checkpoint-key gave it) the cluster's identity: the one the
// cluster has, or this node's own key and origin if it is the first to say (a new key when it
// has none). The cluster's key is written to the node's key file when that file is absent. A node
// whose key file holds another key, or given another --origin, is refused: it would sign the same
// log under a second identity. A node with a key file of its own that cannot reach NATS for a few
// seconds signs with it (and says so); one without is refused. Returns why not, for the operator.
std::expected<void, std::string> adopt_cluster_signer(const cluster::Options& cluster, ledger::Ledger& ledger,
                                                      const vault::Vault& vault, ledger::CheckpointerOptions& signer,
                                                      const std::function<void(const std::string&)>& note);

}  // namespace orgledger::tools
