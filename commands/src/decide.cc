#include "orgledger/commands/decide.h"

#include "rules.h"

namespace orgledger::commands {
namespace {

template <class... Fs>
struct Overloaded : Fs... {
  using Fs::operator()...;
};

}  // namespace

std::expected<Events, Rejection> decide(const projections::StateView& state, const Command& command, ledger::Micros now,
                                        const projections::BusinessCalendar& calendar) {
  if (auto invalid = validate(command, now)) return std::unexpected(*invalid);
  const Context ctx{state, command, now, calendar};
  return std::visit(
      Overloaded{
          [&](const RegisterUser& c) { return decide_register_user(ctx, c); },
          [&](const CreateOrganization& c) { return decide_create_organization(ctx, c); },
          [&](const UpdateOrganizationDetails& c) { return decide_update_organization(ctx, c); },
          [&](const AddMember& c) { return decide_add_member(ctx, c); },
          [&](const ChangeMemberRole& c) { return decide_change_role(ctx, c); },
          [&](const RemoveMember& c) { return decide_remove_member(ctx, c); },
          [&](const LeaveOrganization& c) { return decide_leave(ctx, c); },
          [&](const SetBillingRights& c) { return decide_billing(ctx, c); },
          [&](const SetContactPreferences& c) { return decide_contact_prefs(ctx, c); },
          [&](const HandoverLegalRepresentative& c) { return decide_handover(ctx, c); },
          [&](const RegisterProduct& c) { return decide_register_product(ctx, c); },
          [&](const GrantProductAccess& c) { return decide_grant_product(ctx, c); },
          [&](const RevokeProductAccess& c) { return decide_revoke_product(ctx, c); },
          [&](const CreateTeam& c) { return decide_create_team(ctx, c); },
          [&](const DeleteTeam& c) { return decide_delete_team(ctx, c); },
          [&](const AddTeamMembers& c) { return decide_add_team_members(ctx, c); },
          [&](const RemoveTeamMembers& c) { return decide_remove_team_members(ctx, c); },
          [&](const GrantTeamProductAccess& c) { return decide_grant_team_product(ctx, c); },
          [&](const RevokeTeamProductAccess& c) { return decide_revoke_team_product(ctx, c); },
          [&](const SetTeamLeader& c) { return decide_team_leader(ctx, c); },
          [&](const GrantSupportAccess& c) { return decide_grant_support(ctx, c); },
          [&](const RevokeSupportAccess& c) { return decide_revoke_support(ctx, c); },
          [&](const AssignSupportTicket& c) { return decide_assign_ticket(ctx, c); },
          [&](const RecordSupportAccess& c) { return decide_record_support(ctx, c); },
          [&](const FileAbuseReport& c) { return decide_file_abuse(ctx, c); },
          [&](const AcknowledgeAbuseReport& c) { return decide_acknowledge(ctx, c); },
          [&](const AssessAbuseReport& c) { return decide_assess(ctx, c); },
          [&](const CompleteAbuseInvestigation& c) { return decide_investigation(ctx, c); },
          [&](const CompleteCorrectiveActions& c) { return decide_corrective(ctx, c); },
          [&](const CloseAbuseReport& c) { return decide_close(ctx, c); },
          [&](const ExpireSupportAccess& c) { return decide_expire_support(ctx, c); },
          [&](const RecordAbuseDeadlineBreach& c) { return decide_record_breach(ctx, c); },
          [&](const OpenIdentityVerification& c) { return decide_open_identity(ctx, c); },
          [&](const SubmitIdentityDocuments& c) { return decide_submit_documents(ctx, c); },
          [&](const CompleteIdentityVerification& c) { return decide_complete_identity(ctx, c); },
          [&](const BlockOrder& c) { return decide_block_order(ctx, c); },
          [&](const UnblockOrder& c) { return decide_unblock_order(ctx, c); },
          [&](const ForgetSubject& c) { return decide_forget(ctx, c); },
          [&](const PurgeExpiredIdentityDocuments& c) { return decide_purge_expired(ctx, c); },
          [&](const CancelBlockedOrder& c) { return decide_cancel_order(ctx, c); },
          [&](const EnableAutoRenewal& c) { return decide_enable_auto_renewal(ctx, c); },
          [&](const DisableAutoRenewal& c) { return decide_disable_auto_renewal(ctx, c); },
          [&](const RenewProduct& c) { return decide_renew_product(ctx, c); },
          [&](const RecordRenewalPaymentDue& c) { return decide_record_payment_due(ctx, c); },
          [&](const EstablishPartnerRelation& c) { return decide_establish_partner(ctx, c); },
          [&](const AssignPartnerManager& c) { return decide_assign_manager(ctx, c); },
          [&](const UnassignPartnerManager& c) { return decide_unassign_manager(ctx, c); },
          [&](const EndPartnerRelation& c) { return decide_end_partner(ctx, c); },
          [&](const JoinPartnerProgram& c) { return decide_join_partner_program(ctx, c); },
          [&](const JoinAffiliateProgram& c) { return decide_join_affiliate_program(ctx, c); },
          [&](const LeavePartnerProgram& c) { return decide_leave_partner_program(ctx, c); },
          [&](const LeaveAffiliateProgram& c) { return decide_leave_affiliate_program(ctx, c); },
      },
      command.body);
}

}  // namespace orgledger::commands
