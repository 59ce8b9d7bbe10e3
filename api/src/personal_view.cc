#include "orgledger/api/personal_view.h"

#include "orgledger/commands/stream_names.h"
#include "orgledger/vault/vault.h"

namespace orgledger::api {
namespace {

// The clear text of `sealed` for `subject`, or forgotten when it cannot be read any more (its key
// destroyed, or no vault); a value that fails authentication reads as forgotten too: it cannot be
// shown, and `verify` names the damage.
Shown<std::string> open(const PersonalView& view, const std::string& subject, const projections::Sealed& sealed) {
  if (view.vault == nullptr) return Hidden::forgotten;
  auto opened = view.vault->open(subject, vault::Sealed{sealed.key_id, sealed.nonce, sealed.ciphertext});
  if (!opened || !*opened) return Hidden::forgotten;
  return std::move(**opened);
}

bool forgotten_in_vault(const PersonalView& view, const std::string& subject) {
  if (view.forgotten_on_record && view.forgotten_on_record(subject)) return true;
  return view.vault != nullptr && view.vault->forgotten(subject);
}

}  // namespace

const char* to_string(Hidden hidden) { return hidden == Hidden::redacted ? "redacted" : "forgotten"; }

Shown<std::string> show_login(const PersonalView& view, std::string_view user, const projections::PersonalText& login,
                              bool forgotten) {
  const std::string subject = "user:" + std::string(user);
  // G2 before G3: a forgotten login is "forgotten" to everyone, G4's clear ones included.
  if (forgotten || forgotten_in_vault(view, subject)) return Hidden::forgotten;
  if (!view.logins_and_documents) return Hidden::redacted;
  if (!login.sealed) return login.clear;  // G4: written before G1
  return open(view, subject, *login.sealed);
}

Shown<projections::ReporterContact> show_reporter(const PersonalView& view, std::string_view report,
                                                  const projections::Reporter& reporter, bool forgotten) {
  const std::string subject = commands::abuse_report_stream(report);
  if (forgotten || forgotten_in_vault(view, subject)) return Hidden::forgotten;
  if (!view.reporters) return Hidden::redacted;
  if (!reporter.sealed) return projections::ReporterContact{reporter.name, reporter.email, reporter.phone};
  auto bytes = open(view, subject, *reporter.sealed);
  if (const auto* hidden = std::get_if<Hidden>(&bytes)) return *hidden;
  auto contact = projections::decode_reporter_contact(std::get<std::string>(bytes));
  if (!contact) return Hidden::forgotten;
  return std::move(*contact);
}

Shown<std::string> show_document(const PersonalView& view, std::string_view case_id, const projections::Sealed& content,
                                 bool readable) {
  const std::string subject = commands::identity_case_stream(case_id);
  if (!readable || forgotten_in_vault(view, subject)) return Hidden::forgotten;
  if (!view.logins_and_documents) return Hidden::redacted;
  return open(view, subject, content);
}

}  // namespace orgledger::api
