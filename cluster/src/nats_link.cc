#include "nats_link.h"

#include <vector>

namespace orgledger::cluster {

std::string describe(natsStatus status, jsErrCode code) {
  std::string text = natsStatus_GetText(status);
  if (code != 0) text += " (JetStream error " + std::to_string(static_cast<int>(code)) + ")";
  if (const char* last = nats_GetLastError(nullptr); last != nullptr && *last != '\0') text += ": " + std::string(last);
  return text;
}

std::expected<std::unique_ptr<NatsLink>, Error> NatsLink::connect(const std::vector<std::string>& servers,
                                                                  const std::string& name) {
  natsOptions* raw_options = nullptr;
  if (auto s = natsOptions_Create(&raw_options); s != NATS_OK) return std::unexpected(Error{describe(s)});
  Owned<natsOptions> options(raw_options);
  std::vector<const char*> urls;
  for (const auto& server : servers) urls.push_back(server.c_str());
  natsStatus s = natsOptions_SetServers(raw_options, urls.data(), static_cast<int>(urls.size()));
  if (s == NATS_OK) s = natsOptions_SetName(raw_options, name.c_str());
  // A node keeps trying for as long as it runs: the cluster may come back, or another server of it.
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(raw_options, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(raw_options, 200);
  if (s == NATS_OK) s = natsOptions_SetTimeout(raw_options, 2000);
  // With a connected callback the first connect does not block when no server answers yet: it
  // goes on in the background (without one, libnats would try synchronously, here forever).
  if (s == NATS_OK) s = natsOptions_SetRetryOnFailedConnect(raw_options, true, [](natsConnection*, void*) {}, nullptr);
  // Only the servers the operator named (--cluster): a node cut off from them is cut off, and loses
  // its lease, rather than wander to servers gossip announced (which may sit across the partition).
  if (s == NATS_OK) s = natsOptions_SetIgnoreDiscoveredServers(raw_options, true);
  if (s != NATS_OK) return std::unexpected(Error{"NATS options: " + describe(s)});
  std::unique_ptr<NatsLink> link(new NatsLink());
  natsConnection* connection = nullptr;
  s = natsConnection_Connect(&connection, raw_options);
  // With retry-on-failed-connect, NATS_NOT_YET_CONNECTED means it goes on trying in the background.
  if (s != NATS_OK && s != NATS_NOT_YET_CONNECTED) return std::unexpected(Error{"cannot reach NATS: " + describe(s)});
  link->connection_.reset(connection);
  jsCtx* jetstream = nullptr;
  jsOptions js_options;
  jsOptions_Init(&js_options);
  js_options.Wait = 5000;
  if (s = natsConnection_JetStream(&jetstream, connection, &js_options); s != NATS_OK) {
    return std::unexpected(Error{"JetStream: " + describe(s)});
  }
  link->jetstream_.reset(jetstream);
  return link;
}

NatsLink::~NatsLink() {
  jetstream_.reset();
  if (connection_) natsConnection_Close(connection_.get());
}

}  // namespace orgledger::cluster
