#include "legacy_events.h"
#include "sample_events.h"

#include "manual_clock.h"

namespace orgledger::testing {
namespace {

template <typename Table>
SampleEvent sample(std::string stream, Table table) {
  SampleEvent out{std::move(stream), {}};
  out.payload.Set(std::move(table));
  return out;
}

schema::Instant instant(ledger::Micros us) { return schema::Instant(us); }

}  // namespace

std::vector<SampleEvent> one_of_each_event() {
  using namespace schema;
  std::vector<SampleEvent> out;
  out.push_back(sample("user:carol", testing::clear_user_registered("carol", "carol@example.ch")));
  out.push_back(sample("org:acme", OrganizationCreatedT{.org = "acme", .name = "Acme SA"}));
  out.push_back(sample("org:acme", OrganizationDetailsUpdatedT{.org = "acme", .name = "Acme Suisse SA"}));
  out.push_back(sample("org:acme", MemberAddedT{.org = "acme", .user = "dan", .role = Role::collaborator,
                                                .products = {"p-mail", "p-drive"}, .billing = false,
                                                .contact_prefs = {ContactPref::technical, ContactPref::legal}}));
  out.push_back(sample("org:acme", MemberRoleChangedT{.org = "acme", .user = "dan", .role = Role::administrator}));
  out.push_back(sample("org:acme", MemberRemovedT{.org = "acme", .user = "erin"}));
  out.push_back(sample("org:acme", OrganizationLeftT{.org = "acme", .user = "fred"}));
  out.push_back(sample("org:acme", BillingRightsSetT{.org = "acme", .user = "dan", .billing = true}));
  out.push_back(sample("org:acme", ContactPreferencesSetT{.org = "acme", .user = "dan",
                                                          .contact_prefs = {ContactPref::billing, ContactPref::marketing}}));
  out.push_back(sample("org:acme", LegalRepresentativeHandedOverT{.org = "acme", .from = "carol", .to = "dan",
                                                                  .then = HandoverThen::remove}));
  out.push_back(sample("org:acme", NotificationQueuedT{.org = "acme", .user = "carol", .kind = "role_changed",
                                                       .summary = "You are no longer legal representative of Acme SA"}));
  ProductRegisteredT product;  // tables holding structs are not aggregates: fields one by one
  product.org = "acme";
  product.product = "p-mail";
  product.kind = "mail_service";
  product.name = "Mail Acme";
  product.expires_at = std::make_unique<Instant>(instant(kSampleInstant));
  out.push_back(sample("org:acme", std::move(product)));
  out.push_back(sample("org:acme", ProductAccessGrantedT{.org = "acme", .user = "dan", .product = "p-mail"}));
  out.push_back(sample("org:acme", ProductAccessRevokedT{.org = "acme", .user = "dan", .product = "p-mail"}));
  out.push_back(sample("org:acme", TeamCreatedT{.org = "acme", .team = "web", .name = "Web team"}));
  out.push_back(sample("org:acme", TeamDeletedT{.org = "acme", .team = "old"}));
  out.push_back(sample("org:acme", TeamMembersAddedT{.org = "acme", .team = "web", .users = {"dan", "gil"}}));
  out.push_back(sample("org:acme", TeamMembersRemovedT{.org = "acme", .team = "web", .users = {"gil"}}));
  out.push_back(sample("org:acme", TeamProductAccessGrantedT{.org = "acme", .team = "web", .product = "p-drive"}));
  out.push_back(sample("org:acme", TeamProductAccessRevokedT{.org = "acme", .team = "web", .product = "p-drive"}));
  out.push_back(sample("org:acme", TeamLeaderSetT{.org = "acme", .team = "web", .user = "dan"}));
  out.push_back(sample("org:acme", SupportAccessGrantedT{.org = "acme", .grant = "g1", .scope = SupportScope::kdrive,
                                                         .resource = "p-drive/folder-7", .ticket = "T-1"}));
  out.push_back(sample("org:acme", SupportAccessRevokedT{.org = "acme", .grant = "g1"}));
  out.push_back(sample("ticket:T-1", SupportTicketAssignedT{.ticket = "T-1", .agent = "agent:zoe"}));
  out.push_back(sample("org:acme", SupportAccessRecordedT{.org = "acme", .grant = "g1", .resource = "p-drive/folder-7"}));
  out.push_back(sample("org:acme", SupportAccessExpiredT{.org = "acme", .grant = "g2"}));
  auto reporter = std::make_unique<ReporterT>();
  reporter->anonymous = false;
  reporter->name = "Ida Reporter";
  reporter->email = "ida@example.org";
  reporter->phone = "+41 22 000 00 00";
  AbuseReportFiledT filed;
  filed.report = "r1";
  filed.received_at = std::make_unique<Instant>(instant(kSampleInstant - 60'000'000));
  filed.category = "phishing";
  filed.reporter = std::move(reporter);
  filed.target = "www.example.com";
  out.push_back(sample("abuse:r1", std::move(filed)));
  out.push_back(sample("abuse:r1", AbuseReportAcknowledgedT{.report = "r1"}));
  out.push_back(sample("abuse:r1", AbuseReportAssessedT{.report = "r1", .admissible = true,
                                                        .priority = AbusePriority::high,
                                                        .investigation_required = true}));
  out.push_back(sample("abuse:r1", AbuseInvestigationCompletedT{.report = "r1", .findings = "phishing kit found"}));
  out.push_back(sample("abuse:r1", CorrectiveActionsCompletedT{.report = "r1", .actions = "site suspended"}));
  out.push_back(sample("abuse:r2", AbuseReportClosedT{.report = "r2", .reason = "duplicate"}));
  AbuseDeadlineBreachedT breached;
  breached.report = "r3";
  breached.stage = AbuseStage::assessment;
  breached.due = std::make_unique<Instant>(instant(kSampleInstant + 1));
  out.push_back(sample("abuse:r3", std::move(breached)));
  out.push_back(sample("org:acme", CommandRejectedT{.actor = "dan", .command_type = "RemoveMember",
                                                    .code = "last_legal_representative", .rule = "R3",
                                                    .detail = "carol is the last legal representative"}));
  // Added with D4/D5 (after the golden file's first 34).
  TokenCreatedT created;
  created.token = "manager-1";
  created.principal = "svc:manager";
  created.scopes = {"write", "read"};
  created.act_as = {"svc:manager", "agent:*"};
  created.expires_at = std::make_unique<Instant>(instant(kSampleInstant + 90LL * 86'400'000'000));
  out.push_back(sample("token:manager-1", std::move(created)));
  out.push_back(sample("token:manager-1", TokenRevokedT{.token = "manager-1"}));
  // Added with G and K. Sealed values are opaque bytes to the codec.
  auto sealed = [](std::string key_id) {
    auto out = std::make_unique<SealedT>();
    out->key_id = std::move(key_id);
    out->nonce = std::vector<std::uint8_t>(12, 0x5a);
    out->ciphertext = {0xde, 0xad, 0xbe, 0xef, 0x01, 0x02};
    return out;
  };
  out.push_back(sample("kcheck:k1", IdentityVerificationOpenedT{.case_ = "k1", .user = "carol",
                                                                .reason = IdentityReason::disable_2fa}));
  IdentityDocumentsSubmittedT submitted;
  submitted.case_ = "k1";
  for (auto kind : {DocumentKind::passport, DocumentKind::selfie}) {
    auto document = std::make_unique<IdentityDocumentT>();
    document->kind = kind;
    document->content = sealed("0123456789abcdef0123456789abcdef");
    submitted.documents.push_back(std::move(document));
  }
  out.push_back(sample("kcheck:k1", std::move(submitted)));
  out.push_back(sample("kcheck:k1", IdentityVerificationCompletedT{.case_ = "k1", .outcome = VerificationOutcome::rejected}));
  out.push_back(sample("kcheck:k1", IdentityDocumentsPurgedT{.case_ = "k1", .reason = PurgeReason::expired,
                                                             .key_ids = {"0123456789abcdef0123456789abcdef"}}));
  out.push_back(sample("order:o1", OrderBlockedT{.order = "o1", .org = "acme", .reason = "payment review"}));
  out.push_back(sample("order:o1", OrderUnblockedT{.order = "o1"}));
  out.push_back(sample("order:o1", OrderCancelledT{.order = "o1", .refund = Refund::full}));
  out.push_back(sample("user:carol", SubjectForgottenT{.subject = "user:carol", .key_ids = {"fedcba9876543210fedcba9876543210"}}));
  // Added with B.
  out.push_back(sample("org:acme", AutoRenewalEnabledT{.org = "acme", .product = "p-mail", .payment_method = "twint"}));
  out.push_back(sample("org:acme", AutoRenewalDisabledT{.org = "acme", .product = "p-mail"}));
  ProductRenewedT renewed;
  renewed.org = "acme";
  renewed.product = "p-mail";
  renewed.expires_at = std::make_unique<Instant>(instant(kSampleInstant + 365LL * 86'400'000'000));
  renewed.payment_method = "visa";
  out.push_back(sample("org:acme", std::move(renewed)));
  RenewalPaymentDueT due;
  due.org = "acme";
  due.product = "p-mail";
  due.expires_at = std::make_unique<Instant>(instant(kSampleInstant + 365LL * 86'400'000'000));
  due.payment_method = "visa";
  out.push_back(sample("org:acme", std::move(due)));
  // Added with C.
  out.push_back(sample("org:resell", PartnerProgramJoinedT{.org = "resell"}));
  out.push_back(sample("org:affil", AffiliateProgramJoinedT{.org = "affil"}));
  out.push_back(sample("org:resell", PartnerProgramLeftT{.org = "resell"}));
  out.push_back(sample("org:affil", AffiliateProgramLeftT{.org = "affil"}));
  out.push_back(sample("org:acme", PartnerRelationEstablishedT{.partner_org = "resell", .client_org = "acme", .full = false,
                                                               .products = {"p-mail", "p-drive"}, .billing = true}));
  out.push_back(sample("org:acme", PartnerManagerAssignedT{.partner_org = "resell", .client_org = "acme", .user = "ravi"}));
  out.push_back(sample("org:acme", PartnerManagerUnassignedT{.partner_org = "resell", .client_org = "acme", .user = "ravi",
                                                             .reason = "left_partner"}));
  out.push_back(sample("org:acme", PartnerRelationEndedT{.partner_org = "resell", .client_org = "acme"}));
  return out;
}

ledger::CommandAppend golden_command(std::size_t index, const SampleEvent& sample) {
  ledger::CommandAppend out;
  out.command_id = "golden-" + std::to_string(index);
  out.actor = "svc:golden";
  out.correlation_id = "corr-" + std::to_string(index);
  ledger::add_event(out, sample.stream, sample.payload);
  return out;
}

}  // namespace orgledger::testing
