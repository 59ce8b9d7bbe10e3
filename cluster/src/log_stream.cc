#include "log_stream.h"

namespace orgledger::cluster {

LogStream::LogStream(NatsLink& link, const Options& options)
    : link_(link), name_(options.stream), subject_(options.stream + ".log"), replicas_(options.replicas),
      publish_timeout_(options.publish_timeout), retention_(options.retention) {}

std::expected<void, Error> LogStream::ensure() {
  jsStreamInfo* info = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  if (js_GetStreamInfo(&info, link_.jetstream(), name_.c_str(), nullptr, &code) == NATS_OK) {
    Owned<jsStreamInfo> existing(info);
    const std::uint64_t kept = existing->Config->MaxMsgs > 0 ? static_cast<std::uint64_t>(existing->Config->MaxMsgs) : 0;
    if (kept != retention_) {
      differs_ = "the stream " + name_ + " keeps " + (kept == 0 ? "every group" : "the last " + std::to_string(kept) + " groups") +
                 ", as it was made: --cluster-retention applies only to a stream it makes";
    }
    return {};
  }
  jsStreamConfig config;
  jsStreamConfig_Init(&config);
  config.Name = name_.c_str();
  const char* subjects[] = {subject_.c_str()};
  config.Subjects = subjects;
  config.SubjectsLen = 1;
  config.Storage = js_FileStorage;
  config.Replicas = replicas_;
  // The log is the ledger: nothing ages out, nothing deleted. With a retention, the oldest groups
  // beyond it are discarded: every node keeps the whole log, and one that needs a discarded group
  // copies a peer's store (store_copy_service.h).
  config.Retention = js_LimitsPolicy;
  config.Discard = retention_ > 0 ? js_DiscardOld : js_DiscardNew;
  if (retention_ > 0) config.MaxMsgs = static_cast<int64_t>(retention_);
  config.DenyDelete = true;
  config.DenyPurge = true;
  config.MaxMsgSize = 64 << 20;
  config.Duplicates = static_cast<int64_t>(120) * 1'000'000'000;  // ns: the message-id window
  const natsStatus s = js_AddStream(&info, link_.jetstream(), &config, nullptr, &code);
  if (s == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return {};
  }
  // Made meanwhile by another node: as good.
  if (code == JSStreamNameExistErr && js_GetStreamInfo(&info, link_.jetstream(), name_.c_str(), nullptr, &code) == NATS_OK) {
    jsStreamInfo_Destroy(info);
    return {};
  }
  return std::unexpected(Error{"the stream " + name_ + " cannot be made: " + describe(s, code)});
}

std::expected<std::uint64_t, LogStream::PublishError> LogStream::publish(std::string_view group,
                                                                         ledger::Position first_position,
                                                                         std::uint64_t expected_last_sequence) {
  natsMsg* raw = nullptr;
  natsStatus s = natsMsg_Create(&raw, subject_.c_str(), nullptr, group.data(), static_cast<int>(group.size()));
  if (s != NATS_OK) return std::unexpected(PublishError{Refused::fenced, "message: " + describe(s)});
  Owned<natsMsg> message(raw);
  // Set by hand: jsPubOptions takes 0 as "not set", and the first group expects exactly 0.
  const std::string id = std::to_string(first_position);
  const std::string expected = std::to_string(expected_last_sequence);
  s = natsMsgHeader_Set(raw, "Nats-Msg-Id", id.c_str());
  if (s == NATS_OK) s = natsMsgHeader_Set(raw, "Nats-Expected-Last-Sequence", expected.c_str());
  if (s != NATS_OK) return std::unexpected(PublishError{Refused::fenced, "headers: " + describe(s)});
  jsPubOptions options;
  jsPubOptions_Init(&options);
  options.MaxWait = publish_timeout_.count();
  jsPubAck* raw_ack = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  s = js_PublishMsg(&raw_ack, link_.jetstream(), raw, &options, &code);
  Owned<jsPubAck> ack(raw_ack);
  if (s == NATS_OK && ack) {
    // A duplicate is another group at this first position (or an earlier try of this one that
    // stored it): never this group freshly stored after the sequence expected.
    if (ack->Duplicate) {
      return std::unexpected(PublishError{Refused::fenced, "the stream already has a group at position " + id});
    }
    return ack->Sequence;
  }
  if (s == NATS_MAX_PAYLOAD) {  // refused by the client library before sending: not in the stream
    return std::unexpected(PublishError{Refused::fenced, "the group is larger than the servers' max_payload (" +
                                                             std::to_string(group.size()) + " bytes): " + describe(s)});
  }
  if (code == JSStreamWrongLastSequenceErr) {
    return std::unexpected(PublishError{Refused::fenced, "the stream moved past sequence " + expected + ": " + describe(s, code)});
  }
  return std::unexpected(PublishError{Refused::unknown, describe(s, code)});
}

std::expected<LogStream::Kept, Error> LogStream::kept() {
  jsStreamInfo* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  if (auto s = js_GetStreamInfo(&raw, link_.jetstream(), name_.c_str(), nullptr, &code); s != NATS_OK) {
    return std::unexpected(Error{"stream info: " + describe(s, code)});
  }
  Owned<jsStreamInfo> info(raw);
  return Kept{.first = info->State.LastSeq == 0 ? 0 : info->State.FirstSeq, .last = info->State.LastSeq};
}

std::expected<std::uint64_t, Error> LogStream::last_sequence() {
  auto range = kept();
  if (!range) return std::unexpected(range.error());
  return range->last;
}

std::expected<std::string, Error> LogStream::message_at(std::uint64_t sequence) {
  natsMsg* raw = nullptr;
  jsErrCode code = static_cast<jsErrCode>(0);
  if (auto s = js_GetMsg(&raw, link_.jetstream(), name_.c_str(), sequence, nullptr, &code); s != NATS_OK) {
    return std::unexpected(Error{"message " + std::to_string(sequence) + ": " + describe(s, code)});
  }
  Owned<natsMsg> message(raw);
  return std::string(natsMsg_GetData(raw), static_cast<std::size_t>(natsMsg_GetDataLength(raw)));
}

}  // namespace orgledger::cluster
