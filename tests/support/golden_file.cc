#include "golden_file.h"

#include <stdexcept>

#include "manual_clock.h"
#include "orgledger/ledger/ledger.h"
#include "sample_events.h"

namespace orgledger::testing {

std::string make_golden_file(const std::string& empty_directory) {
  ManualClock clock(kSampleInstant);
  auto opened = ledger::Ledger::open(empty_directory, {.clock = &clock});
  if (!opened) throw std::runtime_error(opened.error().message);
  auto& log = **opened;
  const auto samples = one_of_each_event();
  for (std::size_t i = 0; i < samples.size(); ++i) {
    clock.set(kSampleInstant + static_cast<long long>(i) * kGoldenStepMicros);
    auto answer = log.append(golden_command(i, samples[i]));
    if (!answer) throw std::runtime_error(answer.error().message);
  }
  auto events = log.read(1, samples.size());
  if (!events) throw std::runtime_error(events.error().message);
  std::string file;
  for (const auto& event : *events) {
    const auto size = static_cast<std::uint32_t>(event.stored().size());
    for (int shift = 0; shift < 32; shift += 8) file.push_back(static_cast<char>((size >> shift) & 0xFF));
    file.append(event.stored());
  }
  return file;
}

std::optional<std::vector<std::string>> parse_golden_file(const std::string& bytes) {
  std::vector<std::string> values;
  std::size_t pos = 0;
  while (pos < bytes.size()) {
    if (bytes.size() - pos < 4) return std::nullopt;
    std::uint32_t size = 0;
    for (int i = 3; i >= 0; --i) size = (size << 8) | static_cast<std::uint8_t>(bytes[pos + i]);
    pos += 4;
    if (bytes.size() - pos < size) return std::nullopt;
    values.push_back(bytes.substr(pos, size));
    pos += size;
  }
  return values;
}

}  // namespace orgledger::testing
