#include "stream_reads.h"

#include "orgledger/ledger/event_codec.h"

namespace orgledger::replay {
namespace {

constexpr std::size_t kChunk = 4096;

}  // namespace

std::expected<void, ledger::Error> read_stream_between(const ledger::Ledger& ledger, const std::string& stream,
                                                       ledger::StreamVersion from_version, ledger::Position after,
                                                       ledger::Position cut, std::vector<ledger::RecordedEvent>& out) {
  for (ledger::StreamVersion version = from_version;; version += kChunk) {
    auto chunk = ledger.read_stream(stream, version, kChunk);
    if (!chunk) return std::unexpected(chunk.error());
    for (auto& event : *chunk) {
      if (event.position() > cut) return {};
      if (event.position() > after) out.push_back(std::move(event));
    }
    if (chunk->size() < kChunk) return {};
  }
}

std::optional<std::string> granted_ticket(const ledger::RecordedEvent& event) {
  if (event.type_name() != "SupportAccessGranted") return std::nullopt;
  const auto* granted = event.envelope().payload_as_SupportAccessGranted();
  if (granted == nullptr || granted->ticket() == nullptr) return std::nullopt;
  return granted->ticket()->str();
}

}  // namespace orgledger::replay
