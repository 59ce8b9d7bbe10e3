// The NATS connection and JetStream context of one node, and RAII for libnats' objects.
#pragma once

#include <nats/nats.h>

#include <expected>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "orgledger/cluster/cluster.h"

namespace orgledger::cluster {

struct NatsFree {
  void operator()(natsConnection* p) const { natsConnection_Destroy(p); }
  void operator()(natsOptions* p) const { natsOptions_Destroy(p); }
  void operator()(jsCtx* p) const { jsCtx_Destroy(p); }
  void operator()(natsMsg* p) const { natsMsg_Destroy(p); }
  void operator()(jsPubAck* p) const { jsPubAck_Destroy(p); }
  void operator()(jsStreamInfo* p) const { jsStreamInfo_Destroy(p); }
  void operator()(natsSubscription* p) const { natsSubscription_Destroy(p); }
  void operator()(jsMsgMetaData* p) const { jsMsgMetaData_Destroy(p); }
  void operator()(kvStore* p) const { kvStore_Destroy(p); }
  void operator()(kvEntry* p) const { kvEntry_Destroy(p); }
};
template <typename T>
using Owned = std::unique_ptr<T, NatsFree>;

// What a libnats call said, for a message: its status, JetStream's error code and last error text.
std::string describe(natsStatus status, jsErrCode code = static_cast<jsErrCode>(0));

// A key-value entry's value, as bytes (valid while the entry lives).
inline std::string_view entry_value(kvEntry* entry) {
  return {static_cast<const char*>(kvEntry_Value(entry)), static_cast<std::size_t>(kvEntry_ValueLen(entry))};
}

class NatsLink {
 public:
  // Connects to any of `servers` (it reconnects by itself, forever, while the object lives).
  static std::expected<std::unique_ptr<NatsLink>, Error> connect(const std::vector<std::string>& servers,
                                                                 const std::string& name);
  ~NatsLink();
  natsConnection* connection() const { return connection_.get(); }
  jsCtx* jetstream() const { return jetstream_.get(); }
  bool connected() const { return natsConnection_Status(connection_.get()) == NATS_CONN_STATUS_CONNECTED; }

 private:
  NatsLink() = default;
  Owned<natsConnection> connection_;
  Owned<jsCtx> jetstream_;
};

}  // namespace orgledger::cluster
