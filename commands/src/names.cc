#include <variant>

#include "orgledger/commands/stream_names.h"
#include "rules.h"

namespace orgledger::commands {
namespace {

// In the order of Body's alternatives.
constexpr const char* kCommandTypes[] = {
    "RegisterUser", "CreateOrganization", "UpdateOrganizationDetails", "AddMember", "ChangeMemberRole",
    "RemoveMember", "LeaveOrganization", "SetBillingRights", "SetContactPreferences",
    "HandoverLegalRepresentative", "RegisterProduct", "GrantProductAccess", "RevokeProductAccess",
    "CreateTeam", "DeleteTeam", "AddTeamMembers", "RemoveTeamMembers", "GrantTeamProductAccess",
    "RevokeTeamProductAccess", "SetTeamLeader", "GrantSupportAccess", "RevokeSupportAccess",
    "AssignSupportTicket", "RecordSupportAccess", "FileAbuseReport", "AcknowledgeAbuseReport",
    "AssessAbuseReport", "CompleteAbuseInvestigation", "CompleteCorrectiveActions", "CloseAbuseReport",
    "ExpireSupportAccess", "RecordAbuseDeadlineBreach", "OpenIdentityVerification", "SubmitIdentityDocuments",
    "CompleteIdentityVerification", "BlockOrder", "UnblockOrder", "ForgetSubject", "PurgeExpiredIdentityDocuments",
    "CancelBlockedOrder", "EnableAutoRenewal", "DisableAutoRenewal", "RenewProduct", "RecordRenewalPaymentDue",
    "EstablishPartnerRelation", "AssignPartnerManager", "UnassignPartnerManager", "EndPartnerRelation",
    "JoinPartnerProgram", "JoinAffiliateProgram", "LeavePartnerProgram", "LeaveAffiliateProgram"};
static_assert(std::size(kCommandTypes) == std::variant_size_v<Body>);

}  // namespace

const char* command_type(const Body& body) { return kCommandTypes[body.index()]; }

std::string stream_of(const Body& body) {
  return std::visit(
      [](const auto& command) -> std::string {
        using T = std::decay_t<decltype(command)>;
        if constexpr (std::is_same_v<T, RegisterUser>) return "user:" + command.user;
        else if constexpr (std::is_same_v<T, AssignSupportTicket>) return "ticket:" + command.ticket;
        else if constexpr (requires { command.report; }) return abuse_report_stream(command.report);
        else if constexpr (requires { command.case_id; }) return identity_case_stream(command.case_id);
        else if constexpr (requires { command.client_org; }) return "org:" + command.client_org;  // C: the client's stream
        else if constexpr (requires { command.order; }) return order_stream(command.order);
        else if constexpr (std::is_same_v<T, ForgetSubject>) return command.subject;  // G2: the subject's own stream
        else return "org:" + command.org;
      },
      body);
}

std::string rejected_stream_of(const Body& body) { return "rejected:" + stream_of(body); }

const char* to_string(Code code) {
  switch (code) {
    case Code::invalid_argument: return "invalid_argument";
    case Code::not_found: return "not_found";
    case Code::forbidden: return "forbidden";
    case Code::already_exists: return "already_exists";
    case Code::version_conflict: return "version_conflict";
    case Code::last_legal_representative: return "last_legal_representative";
    case Code::invalid_state: return "invalid_state";
    case Code::not_active: return "not_active";
    case Code::conflict: return "conflict";
    case Code::too_close_to_expiry: return "too_close_to_expiry";
    case Code::unsupported_payment_method: return "unsupported_payment_method";
  }
  return "";
}

int http_status(Code code) {
  switch (code) {
    case Code::invalid_argument: return 400;
    case Code::forbidden: return 403;
    case Code::not_found: return 404;
    case Code::too_close_to_expiry:
    case Code::unsupported_payment_method: return 422;
    default: return 409;
  }
}

}  // namespace orgledger::commands
