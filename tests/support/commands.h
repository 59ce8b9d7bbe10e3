// Short ways to build appends in tests.
#pragma once

#include <string>

#include "orgledger/ledger/event_codec.h"

namespace orgledger::testing {

inline ledger::CommandAppend command(std::string id, std::string actor = "u1") {
  ledger::CommandAppend out;
  out.command_id = std::move(id);
  out.actor = std::move(actor);
  return out;
}

// A one-event command: MemberAdded of `user` to `stream`'s organization.
inline ledger::CommandAppend member_added(std::string id, const std::string& stream, const std::string& user) {
  auto out = command(std::move(id));
  ledger::add_event(out, stream,
                    schema::MemberAddedT{.org = stream.substr(stream.find(':') + 1), .user = user,
                                         .role = schema::Role::collaborator, .products = {"p-mail"}});
  return out;
}

}  // namespace orgledger::testing
