// The replicated log as a JetStream stream: one message per group (replication.h's bytes), subject
// "<stream>.log", message id = the group's first position, each publish fenced by the stream's
// expected last sequence. R3, file storage, every message kept (no age or size limit) unless
// Options::retention says how many.
#pragma once

#include <cstdint>
#include <expected>
#include <string>
#include <string_view>

#include "nats_link.h"
#include "orgledger/ledger/types.h"

namespace orgledger::cluster {

class LogStream {
 public:
  LogStream(NatsLink& link, const Options& options);

  // Makes the stream when it is missing. Errors: JetStream refused or could not be reached.
  std::expected<void, Error> ensure();
  // After ensure(): how the stream found differs from the options (its retention), else "".
  const std::string& differs() const { return differs_; }

  enum class Refused {
    fenced,   // the stream had moved on (another writer), or the group was too large: it is not in it
    unknown,  // no answer (timeout, lost connection): it may be in it
  };
  struct PublishError {
    Refused why;
    std::string message;
  };
  // Publishes one group; its sequence in the stream, once a quorum stored it.
  std::expected<std::uint64_t, PublishError> publish(std::string_view group, ledger::Position first_position,
                                                     std::uint64_t expected_last_sequence);

  // The stream's last sequence (0 when empty).
  std::expected<std::uint64_t, Error> last_sequence();
  // The sequences it still holds: first..last (0, 0 when empty). Below `first`, discarded.
  struct Kept {
    std::uint64_t first = 0;
    std::uint64_t last = 0;
  };
  std::expected<Kept, Error> kept();
  // The message at `sequence`; its bytes.
  std::expected<std::string, Error> message_at(std::uint64_t sequence);

  const std::string& subject() const { return subject_; }
  const std::string& name() const { return name_; }

 private:
  NatsLink& link_;
  std::string name_;
  std::string subject_;
  int replicas_;
  std::chrono::milliseconds publish_timeout_;
  std::uint64_t retention_;
  std::string differs_;
};

}  // namespace orgledger::cluster
