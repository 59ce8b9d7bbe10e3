// The commands of DOMAIN.md sections U–D, typed. They arrive already parsed (JSON lives in api/
// and tools/); validate() checks shapes and values, decide() the rules.
#pragma once

#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "orgledger/ledger/types.h"
#include "orgledger/projections/state.h"

namespace orgledger::commands {

using projections::AbusePriority;
using projections::ContactPref;
using projections::Role;
using projections::SupportScope;
using projections::DocumentKind;
using projections::IdentityReason;

// G1: personal data in a command. It arrives in clear; the processor seals it under its subject's
// data key (personal_data.h) and drops the clear text before decide runs, so that the rules, the
// events and the state only ever see the sealed form.
struct PersonalInput {
  PersonalInput() = default;
  PersonalInput(std::string text) : clear(std::move(text)) {}
  PersonalInput(const char* text) : clear(text) {}
  std::string clear;
  std::optional<projections::Sealed> sealed;
};

// U
struct RegisterUser { std::string user; PersonalInput login; };
// O
struct CreateOrganization { std::string org, name; };
struct UpdateOrganizationDetails { std::string org; std::optional<std::string> name; };
// R
struct AddMember {
  std::string org, user;
  Role role = Role::collaborator;
  std::vector<std::string> products;
  std::optional<bool> billing;
  std::vector<ContactPref> contact_prefs;
};
struct ChangeMemberRole { std::string org, user; Role role = Role::collaborator; };
struct RemoveMember { std::string org, user; };
struct LeaveOrganization { std::string org; };
struct SetBillingRights { std::string org, user; bool billing = false; };
struct SetContactPreferences { std::string org, user; std::vector<ContactPref> contact_prefs; };
enum class HandoverThen { administrator, remove };
struct HandoverLegalRepresentative { std::string org, from, to; HandoverThen then = HandoverThen::administrator; };
// P
struct RegisterProduct { std::string org, product, kind, name; std::optional<ledger::Micros> expires_at; };
struct GrantProductAccess { std::string org, user, product; };
struct RevokeProductAccess { std::string org, user, product; };
// T
struct CreateTeam { std::string org, team, name; };
struct DeleteTeam { std::string org, team; };
struct AddTeamMembers { std::string org, team; std::vector<std::string> users; };
struct RemoveTeamMembers { std::string org, team; std::vector<std::string> users; };
struct GrantTeamProductAccess { std::string org, team, product; };
struct RevokeTeamProductAccess { std::string org, team, product; };
struct SetTeamLeader { std::string org, team, user; };
// S
struct GrantSupportAccess { std::string org, grant; SupportScope scope = SupportScope::mail; std::optional<std::string> resource; std::string ticket; };
struct RevokeSupportAccess { std::string org, grant; };
struct AssignSupportTicket { std::string ticket, agent; };
struct RecordSupportAccess { std::string org, grant, resource; };
// A
struct FileAbuseReport {
  std::string report;
  ledger::Micros received_at = 0;
  std::string category;
  projections::Reporter reporter;
  std::optional<std::string> target;
};
struct AcknowledgeAbuseReport { std::string report; };
struct AssessAbuseReport { std::string report; bool admissible = false; AbusePriority priority = AbusePriority::normal; bool investigation_required = false; };
struct CompleteAbuseInvestigation { std::string report, findings; };
struct CompleteCorrectiveActions { std::string report, actions; };
struct CloseAbuseReport { std::string report, reason; };

// The scheduler's own commands (actor svc:scheduler): S6 and A5 put on record.
struct ExpireSupportAccess { std::string org, grant; };
struct RecordAbuseDeadlineBreach { std::string report; std::uint8_t stage = 0; };  // projections::AbuseStage

// K1–K4 (the case id is `case` in JSON and events)
struct OpenIdentityVerification { std::string case_id, user; IdentityReason reason = IdentityReason::forgotten_password; };
struct IdentityDocumentInput { DocumentKind kind = DocumentKind::id_card; PersonalInput content; };  // content: the decoded bytes
struct SubmitIdentityDocuments { std::string case_id; std::vector<IdentityDocumentInput> documents; };
enum class VerificationOutcome { verified, rejected };
struct CompleteIdentityVerification { std::string case_id; VerificationOutcome outcome = VerificationOutcome::verified; };
// K5
struct BlockOrder { std::string order, org, reason; };
struct UnblockOrder { std::string order; };
// G2
struct ForgetSubject { std::string subject; };
// C1–C4
struct PartnerScope { bool full = true; std::vector<std::string> products; };  // "full" or the client's product ids
struct EstablishPartnerRelation { std::string partner_org, client_org; PartnerScope scope; bool billing = false; };
struct AssignPartnerManager { std::string partner_org, client_org, user; };
struct UnassignPartnerManager { std::string partner_org, client_org, user; };
struct EndPartnerRelation { std::string partner_org, client_org; };
struct JoinPartnerProgram { std::string org; };
struct JoinAffiliateProgram { std::string org; };
struct LeavePartnerProgram { std::string org; };
struct LeaveAffiliateProgram { std::string org; };
// B1–B3
struct EnableAutoRenewal { std::string org, product, payment_method; };
struct DisableAutoRenewal { std::string org, product; };
struct RenewProduct { std::string org, product; ledger::Micros expires_at = 0; std::optional<std::string> payment_method; };
// The scheduler's own: B2 put on record (`expires_at` names which one: a late one may be owed).
struct RecordRenewalPaymentDue { std::string org, product; ledger::Micros expires_at = 0; };
// The scheduler's own: K4 and K5 put on record.
struct PurgeExpiredIdentityDocuments { std::string case_id; };
struct CancelBlockedOrder { std::string order; };

using Body = std::variant<RegisterUser, CreateOrganization, UpdateOrganizationDetails, AddMember, ChangeMemberRole,
                          RemoveMember, LeaveOrganization, SetBillingRights, SetContactPreferences,
                          HandoverLegalRepresentative, RegisterProduct, GrantProductAccess, RevokeProductAccess,
                          CreateTeam, DeleteTeam, AddTeamMembers, RemoveTeamMembers, GrantTeamProductAccess,
                          RevokeTeamProductAccess, SetTeamLeader, GrantSupportAccess, RevokeSupportAccess,
                          AssignSupportTicket, RecordSupportAccess, FileAbuseReport, AcknowledgeAbuseReport,
                          AssessAbuseReport, CompleteAbuseInvestigation, CompleteCorrectiveActions, CloseAbuseReport,
                          ExpireSupportAccess, RecordAbuseDeadlineBreach, OpenIdentityVerification,
                          SubmitIdentityDocuments, CompleteIdentityVerification, BlockOrder, UnblockOrder, ForgetSubject,
                          PurgeExpiredIdentityDocuments, CancelBlockedOrder, EnableAutoRenewal, DisableAutoRenewal,
                          RenewProduct, RecordRenewalPaymentDue, EstablishPartnerRelation, AssignPartnerManager,
                          UnassignPartnerManager, EndPartnerRelation, JoinPartnerProgram, JoinAffiliateProgram,
                          LeavePartnerProgram, LeaveAffiliateProgram>;

struct Command {
  std::string actor;           // a user id, agent:<id> or svc:<name>
  std::string command_id;      // idempotency key (the processor makes one when absent)
  std::string correlation_id;
  std::optional<ledger::StreamVersion> expected_version;  // of stream_of(body)
  Body body;
  std::optional<ledger::Via> via;  // D4: the principal and token that vouch for `actor`
};

// The command's name as in DOMAIN.md ("AddMember").
const char* command_type(const Body& body);
// The stream of the thing the command acts on ("org:acme"): where expected_version points.
std::string stream_of(const Body& body);
// Where a refusal of the command is recorded: "rejected:" + stream_of(body), so that a refusal
// never moves the version of the stream acted on (D2).
std::string rejected_stream_of(const Body& body);

}  // namespace orgledger::commands
