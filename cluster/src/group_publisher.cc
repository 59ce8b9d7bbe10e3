#include "group_publisher.h"

namespace orgledger::cluster {

GroupPublisher::GroupPublisher(LogStream& stream, std::uint64_t last_sequence,
                               std::function<void(const std::string&)> fenced, std::function<bool()> lease_fresh)
    : stream_(stream), last_sequence_(last_sequence), fenced_(std::move(fenced)), lease_fresh_(std::move(lease_fresh)) {}

std::expected<std::uint64_t, ledger::Error> GroupPublisher::replicate(std::string_view message,
                                                                      ledger::Position first_position) {
  {
    std::lock_guard lock(mutex_);
    if (!fenced_because_.empty()) return std::unexpected(ledger::Error{ledger::ErrorCode::version_conflict, fenced_because_});
  }
  if (!lease_fresh_()) {
    fence("the lease was not renewed within its time to live");
    return std::unexpected(ledger::Error{ledger::ErrorCode::version_conflict, "the lease may have aged out"});
  }
  auto sequence = stream_.publish(message, first_position, last_sequence_);
  if (sequence) {
    last_sequence_ = *sequence;
    return *sequence;
  }
  const bool fenced = sequence.error().why == LogStream::Refused::fenced;
  fence(sequence.error().message);
  return std::unexpected(
      ledger::Error{fenced ? ledger::ErrorCode::version_conflict : ledger::ErrorCode::io_error, sequence.error().message});
}

void GroupPublisher::fence(const std::string& why) {
  {
    std::lock_guard lock(mutex_);
    if (!fenced_because_.empty()) return;
    fenced_because_ = why;
  }
  fenced_(why);
}

}  // namespace orgledger::cluster
