// Events in the form the builds before G1 wrote them: a login in clear (G4). Such stores must
// stay readable; new events never take this form (the processor seals, personal_data.h).
#pragma once

#include <string>

#include "orgledger/schema/events_generated.h"

namespace orgledger::testing {

inline schema::UserRegisteredT clear_user_registered(std::string user, std::string login) {
  schema::UserRegisteredT event;
  event.user = std::move(user);
  event.login = std::move(login);
  return event;
}

}  // namespace orgledger::testing
