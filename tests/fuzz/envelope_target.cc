// Fuzz target: a stored event, as verify and every reader meet it.
#include <cstring>

#include <nlohmann/json.hpp>

#include "chain_checker.h"
#include "envelope.h"
#include "orgledger/api/event_json.h"
#include "orgledger/ledger/event_codec.h"
#include "orgledger/ledger/recorded_event.h"
#include "store_layout.h"
#include "targets.h"

namespace orgledger::fuzz {

void envelope(std::span<const std::uint8_t> input) {
  if (input.size() < 8) return;
  std::uint64_t position = 0;
  std::memcpy(&position, input.data(), 8);  // little-endian hosts only, as the corpus
  const std::string stored(reinterpret_cast<const char*>(input.data() + 8), input.size() - 8);

  const bool well_formed = !ledger::envelope::check_stored(position, stored).has_value();
  auto event = ledger::RecordedEvent::from_stored(position, stored);
  // One rule for both: a value the writer's check refuses is never handed to a reader.
  if (well_formed != event.has_value()) __builtin_trap();
  if (!event) return;

  // Every field a reader may touch, the payload as an object, and the event as the API shows it.
  (void)event->hash();
  (void)event->stream();
  (void)event->actor();
  (void)event->command_id();
  (void)event->correlation_id();
  (void)event->via();
  (void)event->type_name();
  (void)event->ends_command();
  (void)ledger::unpack_payload(*event);
  (void)api::event_to_json(*event).dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);

  // The chain checker on the value, following the hash it names as its predecessor: it reaches
  // the stored-hash comparison.
  ledger::ChainChecker checker(position, ledger::envelope::prev_hash(std::string_view(stored).substr(32)));
  (void)checker.check(ledger::layout::position_key(position), stored);
}

}  // namespace orgledger::fuzz
