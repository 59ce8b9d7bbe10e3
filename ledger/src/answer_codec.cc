#include "answer_codec.h"

#include <cstdint>

#include "orgledger/schema/answer_generated.h"

namespace orgledger::ledger::answer_codec {

std::string encode(const CommandAnswer& answer) {
  flatbuffers::FlatBufferBuilder builder(128);
  std::vector<schema::EventRef> refs;
  refs.reserve(answer.events.size());
  for (const auto& ref : answer.events) refs.emplace_back(ref.position, ref.type);
  const auto root = schema::CreateCommandAnswerDirect(builder, answer.position, answer.stream.c_str(),
                                                      answer.stream_version, &refs);
  schema::FinishCommandAnswerBuffer(builder, root);
  return std::string(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
}

std::optional<CommandAnswer> decode(std::string_view bytes) {
  // FlatBuffers reads its scalars in place, and the Verifier checks alignment only relative to the
  // buffer's start: bytes at an odd address (an answer inside a replicated group, issue 18) are
  // read from an aligned copy (UBSan: misaligned load).
  std::string aligned;
  if (reinterpret_cast<std::uintptr_t>(bytes.data()) % alignof(std::uint64_t) != 0) {  // its widest scalar
    aligned.assign(bytes);
    bytes = aligned;
  }
  flatbuffers::Verifier verifier(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  if (bytes.size() < 8 || !schema::CommandAnswerBufferHasIdentifier(bytes.data()) ||
      !schema::VerifyCommandAnswerBuffer(verifier)) {
    return std::nullopt;
  }
  const auto* stored = schema::GetCommandAnswer(bytes.data());
  CommandAnswer answer;
  answer.position = stored->position();
  if (stored->stream() != nullptr) answer.stream = stored->stream()->str();
  answer.stream_version = stored->stream_version();
  if (stored->events() != nullptr) {
    for (const auto* ref : *stored->events()) answer.events.push_back({ref->position(), ref->type()});
  }
  return answer;
}

}  // namespace orgledger::ledger::answer_codec
