#include "orgledger/api/command_json.h"

#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "orgledger/api/base64.h"
#include "orgledger/api/time_format.h"

namespace orgledger::api {
namespace {

using nlohmann::json;
using namespace orgledger::commands;

// Reads the fields of one command object, remembering which were used so that leftovers (unknown
// fields) are refused. A bad field is not an exception (ARCHITECTURE.md: none for control flow):
// the first problem is kept, the reader goes on with a placeholder value, and parse_command
// answers the problem once the command's parser has run.
class Fields {
 public:
  explicit Fields(const json& object) : object_(object) {}

  std::string text(const char* name) {
    const json& value = required(name);
    if (!value.is_string()) return fail(std::string(name) + " must be a string"), std::string();
    return value.get<std::string>();
  }
  std::optional<std::string> optional_text(const char* name) {
    if (!present(name)) return std::nullopt;
    return text(name);
  }
  bool boolean(const char* name) {
    const json& value = required(name);
    if (!value.is_boolean()) return fail(std::string(name) + " must be true or false"), false;
    return value.get<bool>();
  }
  std::optional<bool> optional_boolean(const char* name) {
    if (!present(name)) return std::nullopt;
    return boolean(name);
  }
  std::vector<std::string> texts(const char* name, bool required_field = true) {
    if (!required_field && !present(name)) return {};
    const json& value = required(name);
    if (!value.is_array()) return fail(std::string(name) + " must be an array of strings"), std::vector<std::string>();
    std::vector<std::string> out;
    for (const auto& item : value) {
      if (!item.is_string()) return fail(std::string(name) + " must be an array of strings"), std::vector<std::string>();
      out.push_back(item.get<std::string>());
    }
    return out;
  }
  ledger::Micros instant(const char* name) {
    const auto parsed = parse_instant(text(name));
    if (!parsed) return fail(std::string(name) + " must be an RFC 3339 instant (at most microseconds)"), ledger::Micros{0};
    return *parsed;
  }
  std::optional<ledger::Micros> optional_instant(const char* name) {
    if (!present(name)) return std::nullopt;
    return instant(name);
  }
  template <typename Enum>
  Enum word(const char* name, std::optional<Enum> (*parse)(std::string_view), const char* choices) {
    const auto parsed = parse(text(name));
    if (!parsed) return fail(std::string(name) + " must be one of " + choices), Enum{};
    return *parsed;
  }
  std::vector<ContactPref> prefs(const char* name, bool required_field) {
    std::vector<ContactPref> out;
    for (const auto& item : texts(name, required_field)) {
      const auto pref = projections::parse_contact_pref(item);
      if (!pref) return fail(std::string(name) + " holds billing, technical, legal or marketing"), out;
      out.push_back(*pref);
    }
    return out;
  }
  projections::Reporter reporter(const char* name) {
    const json& value = required(name);
    projections::Reporter out;
    if (value.is_string() && value.get<std::string>() == "anonymous") return out;
    if (!value.is_object())
      return fail(std::string(name) + " must be \"anonymous\" or {\"name\"?, \"email\"?, \"phone\"?}"), out;
    out.anonymous = false;
    for (const auto& [key, item] : value.items()) {
      if (!item.is_string()) return fail(std::string(name) + "." + key + " must be a string"), out;
      if (key == "name")
        out.name = item.get<std::string>();
      else if (key == "email")
        out.email = item.get<std::string>();
      else if (key == "phone")
        out.phone = item.get<std::string>();
      else
        return fail("unknown field " + std::string(name) + "." + key), out;
    }
    return out;
  }
  // K2: [{"kind": "id_card"|"passport"|"selfie", "content": base64}, …], decoded here.
  std::vector<IdentityDocumentInput> documents(const char* name) {
    const json& value = required(name);
    std::vector<IdentityDocumentInput> out;
    if (!value.is_array()) return fail(std::string(name) + " must be an array of {\"kind\", \"content\"}"), out;
    for (const auto& item : value) {
      if (!item.is_object()) return fail(std::string(name) + " must be an array of {\"kind\", \"content\"}"), out;
      IdentityDocumentInput document;
      for (const auto& [key, field] : item.items()) {
        if (key != "kind" && key != "content") return fail("unknown field " + std::string(name) + "." + key), out;
      }
      const auto kind = item.find("kind");
      const auto content = item.find("content");
      if (kind == item.end() || !kind->is_string() || !projections::parse_document_kind(kind->get<std::string>())) {
        return fail(std::string(name) + ".kind must be id_card, passport or selfie"), out;
      }
      document.kind = *projections::parse_document_kind(kind->get<std::string>());
      if (content == item.end() || !content->is_string()) return fail(std::string(name) + ".content must be base64"), out;
      auto decoded = decode_base64(content->get_ref<const std::string&>());
      if (!decoded) return fail(std::string(name) + ".content must be base64"), out;
      document.content = std::move(*decoded);
      out.push_back(std::move(document));
    }
    return out;
  }
  // C1: "full", or a non-empty list of the client's product ids.
  PartnerScope partner_scope(const char* name) {
    const json& value = required(name);
    PartnerScope out;
    if (value.is_string() && value.get<std::string>() == "full") return out;
    if (!value.is_array()) return fail(std::string(name) + " must be \"full\" or a list of product ids"), out;
    out.full = false;
    out.products = texts(name);
    return out;
  }
  bool present(const char* name) {
    used_.insert(name);
    auto it = object_.find(name);
    return it != object_.end() && !it->is_null();
  }
  void refuse_unknown() {
    for (const auto& [key, value] : object_.items()) {
      if (!used_.contains(key)) return fail("unknown field " + key);
    }
  }
  void fail(std::string problem) {
    if (!problem_) problem_ = std::move(problem);
  }
  // The first problem met, nullopt while every field read was good.
  const std::optional<std::string>& problem() const { return problem_; }
  // Every field read so far, and those of them required but absent.
  const std::set<std::string>& used() const { return used_; }
  const std::set<std::string>& missing() const { return missing_; }

 private:
  const json& required(const char* name) {
    static const json kAbsent;
    if (!present(name)) {
      missing_.insert(name);
      return fail(std::string(name) + " is required"), kAbsent;
    }
    return object_.at(name);
  }
  const json& object_;
  std::set<std::string> used_;
  std::set<std::string> missing_;  // required fields found absent
  std::optional<std::string> problem_;
};

using Parser = std::function<Body(Fields&)>;

const std::map<std::string, Parser, std::less<>>& parsers() {
  static const std::map<std::string, Parser, std::less<>> table = {
      {"RegisterUser",
       [](Fields& f) -> Body {
         return RegisterUser{f.text("user"), f.text("login")};
       }},
      {"CreateOrganization",
       [](Fields& f) -> Body {
         return CreateOrganization{f.text("org"), f.text("name")};
       }},
      {"UpdateOrganizationDetails",
       [](Fields& f) -> Body {
         return UpdateOrganizationDetails{f.text("org"), f.optional_text("name")};
       }},
      {"AddMember",
       [](Fields& f) -> Body {
         AddMember c{.org = f.text("org"), .user = f.text("user")};
         c.role =
             f.word("role", projections::parse_role, "legal_representative, administrator, collaborator, external");
         c.products = f.texts("products", false);
         c.billing = f.optional_boolean("billing");
         c.contact_prefs = f.prefs("contact_prefs", false);
         return c;
       }},
      {"ChangeMemberRole",
       [](Fields& f) -> Body {
         return ChangeMemberRole{
             f.text("org"), f.text("user"),
             f.word("role", projections::parse_role, "legal_representative, administrator, collaborator, external")};
       }},
      {"RemoveMember",
       [](Fields& f) -> Body {
         return RemoveMember{f.text("org"), f.text("user")};
       }},
      {"LeaveOrganization", [](Fields& f) -> Body { return LeaveOrganization{f.text("org")}; }},
      {"SetBillingRights",
       [](Fields& f) -> Body {
         return SetBillingRights{f.text("org"), f.text("user"), f.boolean("billing")};
       }},
      {"SetContactPreferences",
       [](Fields& f) -> Body {
         return SetContactPreferences{f.text("org"), f.text("user"), f.prefs("contact_prefs", true)};
       }},
      {"HandoverLegalRepresentative",
       [](Fields& f) -> Body {
         HandoverLegalRepresentative c{f.text("org"), f.text("from"), f.text("to")};
         const auto then = f.text("then");
         if (then == "remove")
           c.then = HandoverThen::remove;
         else if (then == "administrator")
           c.then = HandoverThen::administrator;
         else
           f.fail("then must be administrator or remove");
         return c;
       }},
      {"RegisterProduct",
       [](Fields& f) -> Body {
         return RegisterProduct{f.text("org"), f.text("product"), f.text("kind"), f.optional_text("name").value_or(""),
                                f.optional_instant("expires_at")};
       }},
      {"GrantProductAccess",
       [](Fields& f) -> Body {
         return GrantProductAccess{f.text("org"), f.text("user"), f.text("product")};
       }},
      {"RevokeProductAccess",
       [](Fields& f) -> Body {
         return RevokeProductAccess{f.text("org"), f.text("user"), f.text("product")};
       }},
      {"CreateTeam",
       [](Fields& f) -> Body {
         return CreateTeam{f.text("org"), f.text("team"), f.text("name")};
       }},
      {"DeleteTeam",
       [](Fields& f) -> Body {
         return DeleteTeam{f.text("org"), f.text("team")};
       }},
      {"AddTeamMembers",
       [](Fields& f) -> Body {
         return AddTeamMembers{f.text("org"), f.text("team"), f.texts("users")};
       }},
      {"RemoveTeamMembers",
       [](Fields& f) -> Body {
         return RemoveTeamMembers{f.text("org"), f.text("team"), f.texts("users")};
       }},
      {"GrantTeamProductAccess",
       [](Fields& f) -> Body {
         return GrantTeamProductAccess{f.text("org"), f.text("team"), f.text("product")};
       }},
      {"RevokeTeamProductAccess",
       [](Fields& f) -> Body {
         return RevokeTeamProductAccess{f.text("org"), f.text("team"), f.text("product")};
       }},
      {"SetTeamLeader",
       [](Fields& f) -> Body {
         return SetTeamLeader{f.text("org"), f.text("team"), f.text("user")};
       }},
      {"GrantSupportAccess",
       [](Fields& f) -> Body {
         GrantSupportAccess c{.org = f.text("org"), .grant = f.text("grant")};
         c.scope = f.word("scope", projections::parse_support_scope, "mail, kdrive, kchat");
         c.resource = f.optional_text("resource");
         c.ticket = f.text("ticket");
         return c;
       }},
      {"RevokeSupportAccess",
       [](Fields& f) -> Body {
         return RevokeSupportAccess{f.text("org"), f.text("grant")};
       }},
      {"AssignSupportTicket",
       [](Fields& f) -> Body {
         return AssignSupportTicket{f.text("ticket"), f.text("agent")};
       }},
      {"RecordSupportAccess",
       [](Fields& f) -> Body {
         return RecordSupportAccess{f.text("org"), f.text("grant"), f.text("resource")};
       }},
      {"FileAbuseReport",
       [](Fields& f) -> Body {
         return FileAbuseReport{.report = f.text("report"),
                                .received_at = f.instant("received_at"),
                                .category = f.text("category"),
                                .reporter = f.reporter("reporter"),
                                .target = f.optional_text("target")};
       }},
      {"AcknowledgeAbuseReport", [](Fields& f) -> Body { return AcknowledgeAbuseReport{f.text("report")}; }},
      {"AssessAbuseReport",
       [](Fields& f) -> Body {
         AssessAbuseReport c{.report = f.text("report"), .admissible = f.boolean("admissible")};
         c.priority = f.word("priority", projections::parse_abuse_priority, "low, normal, high, critical");
         c.investigation_required = f.boolean("investigation_required");
         return c;
       }},
      {"CompleteAbuseInvestigation",
       [](Fields& f) -> Body {
         return CompleteAbuseInvestigation{f.text("report"), f.text("findings")};
       }},
      {"CompleteCorrectiveActions",
       [](Fields& f) -> Body {
         return CompleteCorrectiveActions{f.text("report"), f.text("actions")};
       }},
      {"CloseAbuseReport",
       [](Fields& f) -> Body {
         return CloseAbuseReport{f.text("report"), f.text("reason")};
       }},
      {"OpenIdentityVerification",
       [](Fields& f) -> Body {
         OpenIdentityVerification c{.case_id = f.text("case"), .user = f.text("user")};
         c.reason = f.word("reason", projections::parse_identity_reason,
                           "forgotten_password, forgotten_login, disable_2fa, account_unlock, first_payout, order_review");
         return c;
       }},
      {"SubmitIdentityDocuments",
       [](Fields& f) -> Body {
         return SubmitIdentityDocuments{f.text("case"), f.documents("documents")};
       }},
      {"CompleteIdentityVerification",
       [](Fields& f) -> Body {
         CompleteIdentityVerification c{.case_id = f.text("case")};
         const auto outcome = f.text("outcome");
         if (outcome == "verified") c.outcome = VerificationOutcome::verified;
         else if (outcome == "rejected") c.outcome = VerificationOutcome::rejected;
         else f.fail("outcome must be verified or rejected");
         return c;
       }},
      {"BlockOrder",
       [](Fields& f) -> Body {
         return BlockOrder{f.text("order"), f.text("org"), f.text("reason")};
       }},
      {"UnblockOrder", [](Fields& f) -> Body { return UnblockOrder{f.text("order")}; }},
      {"ForgetSubject", [](Fields& f) -> Body { return ForgetSubject{f.text("subject")}; }},
      {"EstablishPartnerRelation",
       [](Fields& f) -> Body {
         EstablishPartnerRelation c{.partner_org = f.text("partner_org"), .client_org = f.text("client_org")};
         c.scope = f.partner_scope("scope");
         c.billing = f.boolean("billing");
         return c;
       }},
      {"AssignPartnerManager",
       [](Fields& f) -> Body {
         return AssignPartnerManager{f.text("partner_org"), f.text("client_org"), f.text("user")};
       }},
      {"UnassignPartnerManager",
       [](Fields& f) -> Body {
         return UnassignPartnerManager{f.text("partner_org"), f.text("client_org"), f.text("user")};
       }},
      {"EndPartnerRelation",
       [](Fields& f) -> Body {
         return EndPartnerRelation{f.text("partner_org"), f.text("client_org")};
       }},
      {"JoinPartnerProgram", [](Fields& f) -> Body { return JoinPartnerProgram{f.text("org")}; }},
      {"JoinAffiliateProgram", [](Fields& f) -> Body { return JoinAffiliateProgram{f.text("org")}; }},
      {"LeavePartnerProgram", [](Fields& f) -> Body { return LeavePartnerProgram{f.text("org")}; }},
      {"LeaveAffiliateProgram", [](Fields& f) -> Body { return LeaveAffiliateProgram{f.text("org")}; }},
      {"EnableAutoRenewal",
       [](Fields& f) -> Body {
         return EnableAutoRenewal{f.text("org"), f.text("product"), f.text("payment_method")};
       }},
      {"DisableAutoRenewal",
       [](Fields& f) -> Body {
         return DisableAutoRenewal{f.text("org"), f.text("product")};
       }},
      {"RenewProduct",
       [](Fields& f) -> Body {
         return RenewProduct{f.text("org"), f.text("product"), f.instant("expires_at"), f.optional_text("payment_method")};
       }},
  };
  return table;
}

// The envelope's fields, which every command has beside `type`.
void read_envelope(Fields& fields, const json& object, Command& command) {
  command.actor = fields.text("actor");
  command.command_id = fields.optional_text("command_id").value_or("");
  command.correlation_id = fields.optional_text("correlation_id").value_or("");
  if (fields.present("expected_version")) {
    const json& version = object.at("expected_version");
    if (!version.is_number_unsigned()) fields.fail("expected_version must be a non-negative integer");
    else command.expected_version = version.get<std::uint64_t>();
  }
}

}  // namespace

std::vector<CommandShape> command_shapes() {
  static const json kEmpty = json::object();
  std::vector<CommandShape> out;
  for (const auto& [type, parser] : parsers()) {
    // Read from an empty object, every parser reads each of its fields, and finds the required
    // ones absent.
    Fields fields(kEmpty);
    fields.text("type");
    Command command;
    read_envelope(fields, kEmpty, command);
    parser(fields);
    out.push_back({type, fields.used(), fields.missing()});
  }
  return out;
}

std::expected<Command, std::string> parse_command(const json& object) {
  if (!object.is_object()) return std::unexpected("a command is a JSON object");
  Fields fields(object);
  const std::string type = fields.text("type");
  if (fields.problem()) return std::unexpected(*fields.problem());
  auto parser = parsers().find(type);
  if (parser == parsers().end()) return std::unexpected("unknown command type " + type);
  Command command;
  read_envelope(fields, object, command);
  command.body = parser->second(fields);
  fields.refuse_unknown();
  if (fields.problem()) return std::unexpected(*fields.problem());
  return command;
}

std::expected<Command, std::string> parse_command(std::string_view text) {
  json object = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (object.is_discarded()) return std::unexpected("the body is not well-formed JSON");  // as POST /v1/commands says it
  return parse_command(object);
}

}  // namespace orgledger::api
