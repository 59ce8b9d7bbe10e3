// What every rule family's decide needs: the command in context, and the checks shared by many
// rules, in DOMAIN.md's order (organization not found → forbidden → other not found →
// version_conflict → state rules).
#pragma once

#include <expected>
#include <optional>
#include <string>

#include "orgledger/commands/decide.h"
#include "orgledger/projections/business_calendar.h"

namespace orgledger::commands {

using RuleOutcome = std::expected<Events, Rejection>;

struct Context {
  const projections::StateView& state;
  const Command& command;
  ledger::Micros now;
  const projections::BusinessCalendar& calendar;  // A7, for the abuse deadlines

  const std::string& actor() const { return command.actor; }
  bool actor_is_service() const { return actor().starts_with("svc:"); }
  bool actor_is_agent() const { return actor().starts_with("agent:"); }

  // version_conflict when the command's expected_version is not its stream's version.
  std::optional<Rejection> version_conflict() const;
  // The organization, or not_found (its existence is the first thing checked).
  std::expected<const projections::Organization*, Rejection> organization(const std::string& id) const;
  // The actor's membership in `org` (null when not a member).
  const projections::Member* actor_member(const projections::Organization& org) const;
  // R1: the actor is an administrator or a legal representative, else forbidden.
  std::optional<Rejection> require_administrator(const projections::Organization& org, const char* rule) const;
  // B1: the actor has billing rights on `org` (a legal representative, a member with the billing
  // flag, a manager of a partner relation with billing, C2), else forbidden.
  std::optional<Rejection> require_billing_rights(const projections::Organization& org, const char* rule) const;
  // The member `user`, or not_found.
  std::expected<const projections::Member*, Rejection> member(const projections::Organization& org,
                                                               const std::string& user, const char* rule) const;
};

template <typename Table>
NewEvent event(std::string stream, Table table) {
  NewEvent out{std::move(stream), {}};
  out.payload.Set(std::move(table));
  return out;
}

std::string org_stream(const std::string& org);
schema::Role to_schema(projections::Role role);
// R9: the notification that goes in the same batch as a role change or a removal.
NewEvent notification(const std::string& org, const std::string& user, std::string kind, std::string summary);
std::size_t legal_representatives(const projections::Organization& org);

// One function per command, grouped in files by rule family.
RuleOutcome decide_register_user(const Context&, const RegisterUser&);
RuleOutcome decide_create_organization(const Context&, const CreateOrganization&);
RuleOutcome decide_update_organization(const Context&, const UpdateOrganizationDetails&);
RuleOutcome decide_add_member(const Context&, const AddMember&);
RuleOutcome decide_change_role(const Context&, const ChangeMemberRole&);
RuleOutcome decide_remove_member(const Context&, const RemoveMember&);
RuleOutcome decide_leave(const Context&, const LeaveOrganization&);
RuleOutcome decide_billing(const Context&, const SetBillingRights&);
RuleOutcome decide_contact_prefs(const Context&, const SetContactPreferences&);
RuleOutcome decide_handover(const Context&, const HandoverLegalRepresentative&);
RuleOutcome decide_register_product(const Context&, const RegisterProduct&);
RuleOutcome decide_grant_product(const Context&, const GrantProductAccess&);
RuleOutcome decide_revoke_product(const Context&, const RevokeProductAccess&);
RuleOutcome decide_create_team(const Context&, const CreateTeam&);
RuleOutcome decide_delete_team(const Context&, const DeleteTeam&);
RuleOutcome decide_add_team_members(const Context&, const AddTeamMembers&);
RuleOutcome decide_remove_team_members(const Context&, const RemoveTeamMembers&);
RuleOutcome decide_grant_team_product(const Context&, const GrantTeamProductAccess&);
RuleOutcome decide_revoke_team_product(const Context&, const RevokeTeamProductAccess&);
RuleOutcome decide_team_leader(const Context&, const SetTeamLeader&);
RuleOutcome decide_grant_support(const Context&, const GrantSupportAccess&);
RuleOutcome decide_revoke_support(const Context&, const RevokeSupportAccess&);
RuleOutcome decide_assign_ticket(const Context&, const AssignSupportTicket&);
RuleOutcome decide_record_support(const Context&, const RecordSupportAccess&);
RuleOutcome decide_file_abuse(const Context&, const FileAbuseReport&);
RuleOutcome decide_acknowledge(const Context&, const AcknowledgeAbuseReport&);
RuleOutcome decide_assess(const Context&, const AssessAbuseReport&);
RuleOutcome decide_investigation(const Context&, const CompleteAbuseInvestigation&);
RuleOutcome decide_corrective(const Context&, const CompleteCorrectiveActions&);
RuleOutcome decide_close(const Context&, const CloseAbuseReport&);
RuleOutcome decide_expire_support(const Context&, const ExpireSupportAccess&);
RuleOutcome decide_record_breach(const Context&, const RecordAbuseDeadlineBreach&);
RuleOutcome decide_open_identity(const Context&, const OpenIdentityVerification&);
RuleOutcome decide_submit_documents(const Context&, const SubmitIdentityDocuments&);
RuleOutcome decide_complete_identity(const Context&, const CompleteIdentityVerification&);
RuleOutcome decide_purge_expired(const Context&, const PurgeExpiredIdentityDocuments&);
RuleOutcome decide_block_order(const Context&, const BlockOrder&);
RuleOutcome decide_unblock_order(const Context&, const UnblockOrder&);
RuleOutcome decide_cancel_order(const Context&, const CancelBlockedOrder&);
RuleOutcome decide_forget(const Context&, const ForgetSubject&);
RuleOutcome decide_establish_partner(const Context&, const EstablishPartnerRelation&);
RuleOutcome decide_assign_manager(const Context&, const AssignPartnerManager&);
RuleOutcome decide_unassign_manager(const Context&, const UnassignPartnerManager&);
RuleOutcome decide_end_partner(const Context&, const EndPartnerRelation&);
RuleOutcome decide_join_partner_program(const Context&, const JoinPartnerProgram&);
RuleOutcome decide_join_affiliate_program(const Context&, const JoinAffiliateProgram&);
RuleOutcome decide_leave_partner_program(const Context&, const LeavePartnerProgram&);
RuleOutcome decide_leave_affiliate_program(const Context&, const LeaveAffiliateProgram&);
// C2: when `user` stops being a non-external member of `org`, their assignments as a manager of
// `org`'s clients end in the same batch (PartnerManagerUnassigned{reason: left_partner} each).
void unassign_departing_manager(const Context& ctx, const std::string& org, const std::string& user, Events& events);
RuleOutcome decide_enable_auto_renewal(const Context&, const EnableAutoRenewal&);
RuleOutcome decide_disable_auto_renewal(const Context&, const DisableAutoRenewal&);
RuleOutcome decide_renew_product(const Context&, const RenewProduct&);
RuleOutcome decide_record_payment_due(const Context&, const RecordRenewalPaymentDue&);

// G1: a sealed value as events hold it.
std::unique_ptr<schema::SealedT> to_schema(const projections::Sealed& sealed);
// G1: decide only ever sees personal data sealed (the processor seals it first, personal_data.h).
Rejection not_sealed(const char* field);

}  // namespace orgledger::commands
