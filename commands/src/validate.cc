// Validation first (DOMAIN.md, Identifiers): ids, required fields, values, A1's received_at bound.
// Anything here is invalid_argument and leaves no trace in the log (D2).
#include <algorithm>

#include "orgledger/projections/renewals.h"
#include "rules.h"

namespace orgledger::commands {
namespace {

constexpr std::size_t kMaxTextBytes = 4096;                  // names, findings, summaries
constexpr ledger::Micros kReceivedAtTolerance = 5 * 60'000'000LL;  // A1: the ledger's clock + 5 min
constexpr std::size_t kMaxDocumentBytes = 4u << 20;  // K2: 4 MiB decoded, all documents together
constexpr std::size_t kGcmTagBytes = 16;             // a sealed value is its plaintext's size + the tag

class Validator {
 public:
  void id(const char* field, const std::string& value) {
    if (!problem_ && !valid_id(value)) problem_ = std::string(field) + ": not an id of 1-128 characters of [A-Za-z0-9._:@-]";
  }
  void optional_id(const char* field, const std::optional<std::string>& value) {
    if (value) id(field, *value);
  }
  void ids(const char* field, const std::vector<std::string>& values) {
    if (!problem_ && values.empty()) problem_ = std::string(field) + ": at least one is required";
    for (const auto& value : values) id(field, value);
  }
  void text(const char* field, const std::string& value, bool required = true) {
    if (problem_) return;
    if (required && value.empty()) problem_ = std::string(field) + " is required";
    else if (value.size() > kMaxTextBytes) problem_ = std::string(field) + " is longer than 4096 bytes";
  }
  void check(bool ok, std::string what) {
    if (!problem_ && !ok) problem_ = std::move(what);
  }
  const std::optional<std::string>& problem() const { return problem_; }

 private:
  std::optional<std::string> problem_;
};

// A resource is a product id, optionally followed by '/' and an inner id (S1).
bool valid_resource(const std::string& resource) {
  const auto slash = resource.find('/');
  if (slash == std::string::npos) return valid_id(resource);
  return valid_id(resource.substr(0, slash)) && resource.size() - slash - 1 >= 1 && resource.size() <= 1024 &&
         resource.find_first_of(std::string_view("\0\n\r", 3)) == std::string::npos;
}

void validate_body(Validator& v, const Body& body, ledger::Micros now) {
  std::visit(
      [&](const auto& c) {
        using T = std::decay_t<decltype(c)>;
        if constexpr (requires { c.org; }) v.id("org", c.org);
        if constexpr (requires { c.user; }) v.id("user", c.user);
        if constexpr (requires { c.product; }) v.id("product", c.product);
        if constexpr (requires { c.team; }) v.id("team", c.team);
        if constexpr (requires { c.grant; }) v.id("grant", c.grant);
        if constexpr (requires { c.report; }) v.id("report", c.report);
        if constexpr (requires { c.case_id; }) v.id("case", c.case_id);
        if constexpr (requires { c.order; }) v.id("order", c.order);
        if constexpr (requires { c.client_org; }) {
          v.id("partner_org", c.partner_org);
          v.id("client_org", c.client_org);
          v.check(c.partner_org != c.client_org, "partner_org and client_org are the same organization (C1)");
        }
        if constexpr (std::is_same_v<T, RegisterUser>) {
          // G1: checked in clear before sealing; a sealed login was checked then.
          if (!c.login.sealed) {
            v.text("login", c.login.clear);
            v.check(c.login.clear.find('@') != std::string::npos, "login: an e-mail address is required");
          }
        } else if constexpr (std::is_same_v<T, CreateOrganization> || std::is_same_v<T, CreateTeam>) {
          v.text("name", c.name);
        } else if constexpr (std::is_same_v<T, UpdateOrganizationDetails>) {
          v.check(c.name.has_value(), "nothing to update");
          if (c.name) v.text("name", *c.name);
        } else if constexpr (std::is_same_v<T, AddMember>) {
          for (const auto& product : c.products) v.id("products", product);
        } else if constexpr (std::is_same_v<T, HandoverLegalRepresentative>) {
          v.id("from", c.from);
          v.id("to", c.to);
          v.check(c.from != c.to, "from and to are the same user");
        } else if constexpr (std::is_same_v<T, RegisterProduct>) {
          v.id("kind", c.kind);
          v.text("name", c.name, false);
        } else if constexpr (std::is_same_v<T, AddTeamMembers> || std::is_same_v<T, RemoveTeamMembers>) {
          v.ids("users", c.users);
        } else if constexpr (std::is_same_v<T, GrantSupportAccess>) {
          v.id("ticket", c.ticket);
          v.check(!c.resource || valid_resource(*c.resource), "resource: a product id, optionally /inner-id");
        } else if constexpr (std::is_same_v<T, AssignSupportTicket>) {
          v.id("ticket", c.ticket);
          v.id("agent", c.agent);
          v.check(c.agent.starts_with("agent:") && c.agent.size() > 6, "agent: agent:<id> is required");
        } else if constexpr (std::is_same_v<T, RecordSupportAccess>) {
          v.check(valid_resource(c.resource), "resource: a product id, optionally /inner-id");
        } else if constexpr (std::is_same_v<T, FileAbuseReport>) {
          v.id("category", c.category);
          v.optional_id("target", c.target);
          v.check(c.received_at <= now + kReceivedAtTolerance, "received_at: later than the ledger's clock + 5 minutes (A1)");
          if (!c.reporter.anonymous && !c.reporter.sealed) {
            v.check(!c.reporter.name.empty() || !c.reporter.email.empty() || !c.reporter.phone.empty(),
                    "reporter: contact details or \"anonymous\"");
            v.text("reporter.name", c.reporter.name, false);
            v.text("reporter.email", c.reporter.email, false);
            v.text("reporter.phone", c.reporter.phone, false);
          }
        } else if constexpr (std::is_same_v<T, RecordAbuseDeadlineBreach>) {
          v.check(c.stage <= 3, "stage: acknowledgment, assessment, investigation or corrective_actions");
        } else if constexpr (std::is_same_v<T, CompleteAbuseInvestigation>) {
          v.text("findings", c.findings);
        } else if constexpr (std::is_same_v<T, CompleteCorrectiveActions>) {
          v.text("actions", c.actions);
        } else if constexpr (std::is_same_v<T, CloseAbuseReport>) {
          v.text("reason", c.reason);
        } else if constexpr (std::is_same_v<T, SubmitIdentityDocuments>) {
          // K2: a non-empty list, at most 4 MiB decoded in all.
          v.check(!c.documents.empty(), "documents: at least one is required (K2)");
          std::size_t total = 0;
          for (const auto& document : c.documents) {
            const std::size_t size = document.content.sealed ? document.content.sealed->ciphertext.size() - std::min(
                                                                   kGcmTagBytes, document.content.sealed->ciphertext.size())
                                                             : document.content.clear.size();
            v.check(size > 0, "documents: a document's content is empty");
            total += size;
          }
          v.check(total <= kMaxDocumentBytes, "documents: more than 4 MiB decoded in all (K2)");
        } else if constexpr (std::is_same_v<T, EstablishPartnerRelation>) {
          if (!c.scope.full) v.ids("scope", c.scope.products);  // C1: a non-empty list of product ids
        } else if constexpr (std::is_same_v<T, EnableAutoRenewal>) {
          v.check(projections::payment_method_word(c.payment_method), "payment_method: a word of [a-z][a-z0-9_]{0,31} (B1)");
        } else if constexpr (std::is_same_v<T, RenewProduct>) {
          v.check(!c.payment_method || projections::payment_method_word(*c.payment_method),
                  "payment_method: a word of [a-z][a-z0-9_]{0,31} (B1)");
        } else if constexpr (std::is_same_v<T, BlockOrder>) {
          v.text("reason", c.reason);
        } else if constexpr (std::is_same_v<T, ForgetSubject>) {
          // G2: user:<id>, abuse:<report> or kcheck:<case>.
          const auto colon = c.subject.find(':');
          const std::string kind = c.subject.substr(0, colon);
          v.check(colon != std::string::npos && (kind == "user" || kind == "abuse" || kind == "kcheck") &&
                      valid_id(c.subject.substr(colon + 1)),
                  "subject: user:<id>, abuse:<report> or kcheck:<case> (G2)");
        }
      },
      body);
}

}  // namespace

bool valid_id(std::string_view id) {
  return !id.empty() && id.size() <= 128 && std::ranges::all_of(id, [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
           c == ':' || c == '@' || c == '-';
  });
}

std::optional<Rejection> validate(const Command& command, ledger::Micros now) {
  Validator v;
  v.id("actor", command.actor);
  if (!command.command_id.empty()) v.id("command_id", command.command_id);
  validate_body(v, command.body, now);
  if (!v.problem()) return std::nullopt;
  return reject(Code::invalid_argument, "", *v.problem());
}

}  // namespace orgledger::commands
