// Text names of the domain enums: the words of DOMAIN.md and API.md.
#include <array>
#include <string_view>

#include "orgledger/projections/state.h"

namespace orgledger::projections {
namespace {

constexpr std::array<const char*, 4> kRoles = {"legal_representative", "administrator", "collaborator", "external"};
constexpr std::array<const char*, 4> kContactPrefs = {"billing", "technical", "legal", "marketing"};
constexpr std::array<const char*, 3> kScopes = {"mail", "kdrive", "kchat"};
constexpr std::array<const char*, 4> kPriorities = {"low", "normal", "high", "critical"};
constexpr std::array<const char*, 6> kReasons = {"forgotten_password", "forgotten_login", "disable_2fa",
                                                 "account_unlock",     "first_payout",    "order_review"};
constexpr std::array<const char*, 3> kDocumentKinds = {"id_card", "passport", "selfie"};
constexpr std::array<const char*, 2> kPurgeReasons = {"completed", "expired"};

template <typename Enum, std::size_t N>
std::optional<Enum> parse(std::string_view text, const std::array<const char*, N>& names) {
  for (std::size_t i = 0; i < N; ++i) {
    if (text == names[i]) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

const char* to_string(Role role) { return kRoles[static_cast<std::size_t>(role)]; }
const char* to_string(ContactPref pref) { return kContactPrefs[static_cast<std::size_t>(pref)]; }
const char* to_string(SupportScope scope) { return kScopes[static_cast<std::size_t>(scope)]; }
const char* to_string(AbusePriority priority) { return kPriorities[static_cast<std::size_t>(priority)]; }

std::optional<Role> parse_role(std::string_view text) { return parse<Role>(text, kRoles); }
std::optional<ContactPref> parse_contact_pref(std::string_view text) { return parse<ContactPref>(text, kContactPrefs); }
std::optional<SupportScope> parse_support_scope(std::string_view text) { return parse<SupportScope>(text, kScopes); }
std::optional<AbusePriority> parse_abuse_priority(std::string_view text) { return parse<AbusePriority>(text, kPriorities); }

const char* to_string(IdentityReason reason) { return kReasons[static_cast<std::size_t>(reason)]; }
const char* to_string(DocumentKind kind) { return kDocumentKinds[static_cast<std::size_t>(kind)]; }
const char* to_string(PurgeReason reason) { return kPurgeReasons[static_cast<std::size_t>(reason)]; }
std::optional<IdentityReason> parse_identity_reason(std::string_view text) { return parse<IdentityReason>(text, kReasons); }
std::optional<DocumentKind> parse_document_kind(std::string_view text) { return parse<DocumentKind>(text, kDocumentKinds); }

std::string_view product_kind_of(SupportScope scope) {
  switch (scope) {
    case SupportScope::mail: return "mail_service";
    case SupportScope::kdrive: return "kdrive";
    case SupportScope::kchat: return "kchat";
  }
  return "";
}

}  // namespace orgledger::projections
