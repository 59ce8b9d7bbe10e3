// G1: the plaintext sealed in a report's Reporter.sealed: a ReporterContact FlatBuffers buffer
// (ledger/schema/events.fbs), so the sealed bytes have a schema and a verifier like every stored
// format.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace orgledger::projections {

struct ReporterContact {
  std::string name, email, phone;  // empty: not given
  bool operator==(const ReporterContact&) const = default;
};

std::string encode_reporter_contact(const ReporterContact& contact);
// nullopt when `bytes` is not a valid ReporterContact buffer.
std::optional<ReporterContact> decode_reporter_contact(std::string_view bytes);

}  // namespace orgledger::projections
