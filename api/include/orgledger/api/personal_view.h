// G3: who sees personal data in clear, and what everyone else sees: "redacted", or "forgotten"
// once the subject's key is destroyed (G2) — the latter for everyone, the scopes notwithstanding.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <variant>

#include "orgledger/ledger/types.h"
#include "orgledger/projections/reporter_contact.h"
#include "orgledger/projections/state.h"

namespace orgledger::vault {
class Vault;
}

namespace orgledger::api {

struct PersonalView {
  bool logins_and_documents = false;  // the personal_data scope (admin includes it), --reveal-personal-data
  bool reporters = false;             // A6: abuse:reporter, personal_data, --reveal-reporter
  // Opens sealed values; null: nothing sealed can be read (shown as "forgotten"), e.g. no vault.
  const vault::Vault* vault = nullptr;
  // K4: identity documents read as "forgotten" from submitted_at + 72 h on, at this instant.
  ledger::Micros now = 0;
  // G2: whether the log records `subject` as forgotten (or its documents purged), for views of
  // events, which do not hold the state: a crash may have come between the event and the key's
  // destruction, and a read-only vault does not see what happened after it was opened. Null: the
  // vault's word alone (a server's, which finished every destruction on record when it started).
  std::function<bool(std::string_view subject)> forgotten_on_record;

  // Everything redacted (only what is forgotten shows as such).
  static PersonalView redacted(const vault::Vault* vault, ledger::Micros now) { return {false, false, vault, now, {}}; }
  // Everything in clear that can still be read (the local data directory's --reveal-personal-data).
  static PersonalView revealed(const vault::Vault* vault, ledger::Micros now) { return {true, true, vault, now, {}}; }
};

// What a viewer gets of one personal value.
enum class Hidden { redacted, forgotten };
const char* to_string(Hidden hidden);
template <typename Clear>
using Shown = std::variant<Clear, Hidden>;

// U1: a user's login; `forgotten` when the state says the subject was forgotten (G2).
Shown<std::string> show_login(const PersonalView& view, std::string_view user, const projections::PersonalText& login,
                              bool forgotten);
// A1/A6: a non-anonymous report's contact details.
Shown<projections::ReporterContact> show_reporter(const PersonalView& view, std::string_view report,
                                                  const projections::Reporter& reporter, bool forgotten);
// K2: one document's content bytes; `readable` is K4's projections::documents_readable at the
// view's instant (false once purged, forgotten or past purge_at).
Shown<std::string> show_document(const PersonalView& view, std::string_view case_id, const projections::Sealed& content,
                                 bool readable);

}  // namespace orgledger::api
