#include "orgledger/projections/evolve.h"

#include <algorithm>

#include "orgledger/projections/partners.h"
#include "orgledger/projections/sealed_value.h"
#include "orgledger/schema/events_generated.h"

namespace orgledger::projections {
namespace {

std::string text(const flatbuffers::String* value) { return value == nullptr ? std::string() : value->str(); }

std::optional<std::string> optional_text(const flatbuffers::String* value) {
  if (value == nullptr) return std::nullopt;
  return value->str();
}

Role role_of(schema::Role role) {
  switch (role) {
    case schema::Role::legal_representative: return Role::legal_representative;
    case schema::Role::administrator: return Role::administrator;
    case schema::Role::external: return Role::external;
    default: return Role::collaborator;
  }
}

SortedSet<ContactPref> prefs_of(const flatbuffers::Vector<std::uint8_t>* prefs) {
  SortedSet<ContactPref> out;
  if (prefs == nullptr) return out;
  for (auto pref : *prefs) {
    if (pref <= static_cast<std::uint8_t>(ContactPref::marketing)) out.insert(static_cast<ContactPref>(pref));
  }
  return out;
}

// Finds the organization an event names, or null when it does not exist.
Organization* organization(State& state, const flatbuffers::String* org) {
  if (org == nullptr) return nullptr;
  return state.organizations.find_mutable(org->string_view());
}

// A member who leaves (R6), is removed (R1) or hands over and goes (R5) leaves every team too.
void remove_member(Organization& org, const std::string& user) {
  org.members.erase(user);
  for (auto& [name, team] : org.teams) {
    team.members.erase(user);
    if (team.leader == user) team.leader.reset();
  }
}


std::vector<std::string> texts(const flatbuffers::Vector<flatbuffers::Offset<flatbuffers::String>>* values) {
  std::vector<std::string> out;
  if (values != nullptr) {
    for (const auto* value : *values) out.push_back(value->str());
  }
  return out;
}

class Folder {
 public:
  Folder(State& state, const ledger::RecordedEvent& event)
      : state_(state), event_(event), position_(event.position()), at_(event.recorded_at()) {}

  void apply() {
    const auto& envelope = event_.envelope();
    using schema::Event;
    switch (envelope.payload_type()) {
      case Event::UserRegistered: return apply(*envelope.payload_as_UserRegistered());
      case Event::OrganizationCreated: return apply(*envelope.payload_as_OrganizationCreated());
      case Event::OrganizationDetailsUpdated: return apply(*envelope.payload_as_OrganizationDetailsUpdated());
      case Event::MemberAdded: return apply(*envelope.payload_as_MemberAdded());
      case Event::MemberRoleChanged: return apply(*envelope.payload_as_MemberRoleChanged());
      case Event::MemberRemoved: return apply_removed(envelope.payload_as_MemberRemoved()->org(), envelope.payload_as_MemberRemoved()->user());
      case Event::OrganizationLeft: return apply_removed(envelope.payload_as_OrganizationLeft()->org(), envelope.payload_as_OrganizationLeft()->user());
      case Event::BillingRightsSet: return apply(*envelope.payload_as_BillingRightsSet());
      case Event::ContactPreferencesSet: return apply(*envelope.payload_as_ContactPreferencesSet());
      case Event::LegalRepresentativeHandedOver: return apply(*envelope.payload_as_LegalRepresentativeHandedOver());
      case Event::ProductRegistered: return apply(*envelope.payload_as_ProductRegistered());
      case Event::ProductAccessGranted: return apply(*envelope.payload_as_ProductAccessGranted());
      case Event::ProductAccessRevoked: return apply(*envelope.payload_as_ProductAccessRevoked());
      case Event::TeamCreated: return apply(*envelope.payload_as_TeamCreated());
      case Event::TeamDeleted: return apply(*envelope.payload_as_TeamDeleted());
      case Event::TeamMembersAdded: return apply(*envelope.payload_as_TeamMembersAdded());
      case Event::TeamMembersRemoved: return apply(*envelope.payload_as_TeamMembersRemoved());
      case Event::TeamProductAccessGranted: return apply(*envelope.payload_as_TeamProductAccessGranted());
      case Event::TeamProductAccessRevoked: return apply(*envelope.payload_as_TeamProductAccessRevoked());
      case Event::TeamLeaderSet: return apply(*envelope.payload_as_TeamLeaderSet());
      case Event::SupportAccessGranted: return apply(*envelope.payload_as_SupportAccessGranted());
      case Event::SupportAccessRevoked: return apply(*envelope.payload_as_SupportAccessRevoked());
      case Event::SupportTicketAssigned: return apply(*envelope.payload_as_SupportTicketAssigned());
      case Event::SupportAccessExpired: return apply(*envelope.payload_as_SupportAccessExpired());
      case Event::AbuseReportFiled: return apply(*envelope.payload_as_AbuseReportFiled());
      case Event::AbuseReportAcknowledged: return stage_done(envelope.payload_as_AbuseReportAcknowledged()->report(), &AbuseReport::acknowledged);
      case Event::AbuseReportAssessed: return apply(*envelope.payload_as_AbuseReportAssessed());
      case Event::AbuseInvestigationCompleted: return stage_done(envelope.payload_as_AbuseInvestigationCompleted()->report(), &AbuseReport::investigated);
      case Event::CorrectiveActionsCompleted: return stage_done(envelope.payload_as_CorrectiveActionsCompleted()->report(), &AbuseReport::corrective);
      case Event::AbuseReportClosed: return stage_done(envelope.payload_as_AbuseReportClosed()->report(), &AbuseReport::corrective);
      case Event::AbuseDeadlineBreached: return apply(*envelope.payload_as_AbuseDeadlineBreached());
      // Outbox entries, single support accesses and audit entries change no state the rules read.
      case Event::NotificationQueued:
      case Event::SupportAccessRecorded:
      case Event::CommandRejected:
      // D5: tokens are on record; their state lives in the token store, not in the domain's.
      case Event::TokenCreated:
      case Event::TokenRevoked:
      case Event::NONE: return;
      case Event::IdentityVerificationOpened: return apply(*envelope.payload_as_IdentityVerificationOpened());
      case Event::IdentityDocumentsSubmitted: return apply(*envelope.payload_as_IdentityDocumentsSubmitted());
      case Event::IdentityVerificationCompleted: return apply(*envelope.payload_as_IdentityVerificationCompleted());
      case Event::IdentityDocumentsPurged: return apply(*envelope.payload_as_IdentityDocumentsPurged());
      case Event::OrderBlocked: return apply(*envelope.payload_as_OrderBlocked());
      case Event::OrderUnblocked: return apply(*envelope.payload_as_OrderUnblocked());
      case Event::OrderCancelled: return apply(*envelope.payload_as_OrderCancelled());
      case Event::SubjectForgotten: return apply(*envelope.payload_as_SubjectForgotten());
      case Event::AutoRenewalEnabled: return apply(*envelope.payload_as_AutoRenewalEnabled());
      case Event::AutoRenewalDisabled: return apply(*envelope.payload_as_AutoRenewalDisabled());
      case Event::ProductRenewed: return apply(*envelope.payload_as_ProductRenewed());
      case Event::RenewalPaymentDue: return apply(*envelope.payload_as_RenewalPaymentDue());
      case Event::PartnerProgramJoined: return programme(envelope.payload_as_PartnerProgramJoined()->org(), &Organization::partner_program, true);
      case Event::AffiliateProgramJoined: return programme(envelope.payload_as_AffiliateProgramJoined()->org(), &Organization::affiliate_program, true);
      case Event::PartnerProgramLeft: return programme(envelope.payload_as_PartnerProgramLeft()->org(), &Organization::partner_program, false);
      case Event::AffiliateProgramLeft: return programme(envelope.payload_as_AffiliateProgramLeft()->org(), &Organization::affiliate_program, false);
      case Event::PartnerRelationEstablished: return apply(*envelope.payload_as_PartnerRelationEstablished());
      case Event::PartnerManagerAssigned: return apply(*envelope.payload_as_PartnerManagerAssigned());
      case Event::PartnerManagerUnassigned: return apply(*envelope.payload_as_PartnerManagerUnassigned());
      case Event::PartnerRelationEnded: return apply(*envelope.payload_as_PartnerRelationEnded());
    }
  }

 private:
  void apply(const schema::UserRegistered& e) {
    User user;
    user.login.sealed = sealed_of(e.login_sealed());
    if (!user.login.sealed) user.login.clear = text(e.login());  // G4: written before G1
    user.registered_at_position = position_;
    state_.users[text(e.user())] = std::move(user);
  }

  void apply(const schema::OrganizationCreated& e) {
    Organization org;
    org.name = text(e.name());
    org.created = position_;
    state_.organizations.emplace(text(e.org()), std::move(org));
  }

  void apply(const schema::OrganizationDetailsUpdated& e) {
    if (auto* org = organization(state_, e.org()); org && e.name()) org->name = e.name()->str();
  }

  void apply(const schema::MemberAdded& e) {
    auto* org = organization(state_, e.org());
    if (org == nullptr) return;
    Member member;
    member.role = role_of(e.role());
    member.role_since = position_;
    if (e.billing()) {
      member.billing = *e.billing();
      member.billing_since = position_;
    }
    member.contact_prefs = prefs_of(reinterpret_cast<const flatbuffers::Vector<std::uint8_t>*>(e.contact_prefs()));
    if (e.products()) {
      for (const auto* product : *e.products()) member.products[product->str()] = position_;
    }
    org->members[text(e.user())] = std::move(member);
  }

  Member* member(const flatbuffers::String* org_id, const flatbuffers::String* user) {
    auto* org = organization(state_, org_id);
    if (org == nullptr || user == nullptr) return nullptr;
    auto it = org->members.find(user->string_view());
    return it == org->members.end() ? nullptr : &it->second;
  }

  void apply(const schema::MemberRoleChanged& e) {
    if (auto* m = member(e.org(), e.user())) {
      m->role = role_of(e.role());
      m->role_since = position_;
    }
  }

  void apply_removed(const flatbuffers::String* org_id, const flatbuffers::String* user) {
    if (auto* org = organization(state_, org_id); org && user) remove_member(*org, user->str());
  }

  void apply(const schema::BillingRightsSet& e) {
    if (auto* m = member(e.org(), e.user())) {
      m->billing = e.billing();
      m->billing_since = position_;
    }
  }

  void apply(const schema::ContactPreferencesSet& e) {
    if (auto* m = member(e.org(), e.user())) {
      m->contact_prefs = prefs_of(reinterpret_cast<const flatbuffers::Vector<std::uint8_t>*>(e.contact_prefs()));
    }
  }

  // R5: `to` becomes legal representative, then `from` administrator or gone — one event.
  void apply(const schema::LegalRepresentativeHandedOver& e) {
    auto* org = organization(state_, e.org());
    if (org == nullptr) return;
    if (auto* to = member(e.org(), e.to())) {
      to->role = Role::legal_representative;
      to->role_since = position_;
    }
    if (e.then() == schema::HandoverThen::remove) {
      if (e.from()) remove_member(*org, e.from()->str());
    } else if (auto* from = member(e.org(), e.from())) {
      from->role = Role::administrator;
      from->role_since = position_;
    }
  }

  void apply(const schema::ProductRegistered& e) {
    auto* org = organization(state_, e.org());
    if (org == nullptr) return;
    Product product{text(e.kind()), text(e.name()), std::nullopt, position_};
    if (e.expires_at()) product.expires_at = e.expires_at()->us();
    org->products[text(e.product())] = std::move(product);
  }

  Product* product(const flatbuffers::String* org_id, const flatbuffers::String* product_id) {
    auto* org = organization(state_, org_id);
    if (org == nullptr || product_id == nullptr) return nullptr;
    auto it = org->products.find(product_id->string_view());
    return it == org->products.end() ? nullptr : &it->second;
  }

  // B2: leaving the current expires_at (a renewal, a disable) after its payment fell due, with
  // auto-renewal on and nothing on record yet: the scheduler still owes that record.
  void keep_owed_payment(Product& p) {
    if (!p.auto_renewal || !p.expires_at || at_ < *p.expires_at - kRenewalLeadTime) return;
    const Micros expires_at = *p.expires_at;
    if (std::find(p.payments_due_recorded.begin(), p.payments_due_recorded.end(), expires_at) != p.payments_due_recorded.end()) return;
    for (const auto& owed : p.payments_owed) {
      if (owed.expires_at == expires_at) return;
    }
    p.payments_owed.push_back(PaymentOwed{expires_at, p.auto_renewal->payment_method});
  }

  // C4.
  void programme(const flatbuffers::String* org_id, bool Organization::*member, bool in) {
    if (auto* org = organization(state_, org_id)) org->*member = in;
  }

  // C1: kept by the client; the partner remembers its clients (for C4's leaving and C5's query).
  void apply(const schema::PartnerRelationEstablished& e) {
    auto* client = organization(state_, e.client_org());
    if (client == nullptr) return;
    PartnerRelation relation;
    relation.partner_org = text(e.partner_org());
    relation.full = e.full();
    if (e.products()) {
      for (const auto* product : *e.products()) relation.products.insert(product->str());
    }
    relation.billing = e.billing();
    relation.established = position_;
    state_.partner_clients[text(e.partner_org())].insert(text(e.client_org()));
    client->relations.push_back(std::move(relation));
  }

  PartnerRelation* relation(const flatbuffers::String* client_id, const flatbuffers::String* partner_id) {
    auto* client = organization(state_, client_id);
    if (client == nullptr || partner_id == nullptr) return nullptr;
    return active_relation(*client, partner_id->string_view());
  }

  void apply(const schema::PartnerManagerAssigned& e) {
    if (auto* r = relation(e.client_org(), e.partner_org())) r->managers.emplace(text(e.user()), position_);
  }
  void apply(const schema::PartnerManagerUnassigned& e) {
    if (auto* r = relation(e.client_org(), e.partner_org())) r->managers.erase(text(e.user()));
  }
  void apply(const schema::PartnerRelationEnded& e) {
    if (auto* r = relation(e.client_org(), e.partner_org())) r->ended = position_;
  }

  void apply(const schema::AutoRenewalEnabled& e) {
    if (auto* p = product(e.org(), e.product())) p->auto_renewal = AutoRenewal{text(e.payment_method()), position_};
  }
  void apply(const schema::AutoRenewalDisabled& e) {
    if (auto* p = product(e.org(), e.product())) {
      keep_owed_payment(*p);
      p->auto_renewal.reset();
    }
  }
  void apply(const schema::ProductRenewed& e) {
    auto* p = product(e.org(), e.product());
    if (p == nullptr || e.expires_at() == nullptr) return;
    keep_owed_payment(*p);
    p->expires_at = e.expires_at()->us();
  }
  void apply(const schema::RenewalPaymentDue& e) {
    auto* p = product(e.org(), e.product());
    if (p == nullptr || e.expires_at() == nullptr) return;
    const Micros expires_at = e.expires_at()->us();
    p->payments_due_recorded.push_back(expires_at);
    std::erase_if(p->payments_owed, [&](const PaymentOwed& owed) { return owed.expires_at == expires_at; });
  }

  void apply(const schema::ProductAccessGranted& e) {
    if (auto* m = member(e.org(), e.user())) m->products.emplace(text(e.product()), position_);
  }
  void apply(const schema::ProductAccessRevoked& e) {
    if (auto* m = member(e.org(), e.user())) m->products.erase(text(e.product()));
  }

  Team* team(const flatbuffers::String* org_id, const flatbuffers::String* team_id) {
    auto* org = organization(state_, org_id);
    if (org == nullptr || team_id == nullptr) return nullptr;
    auto it = org->teams.find(team_id->string_view());
    return it == org->teams.end() ? nullptr : &it->second;
  }

  void apply(const schema::TeamCreated& e) {
    if (auto* org = organization(state_, e.org())) {
      Team team;
      team.name = text(e.name());
      team.since = position_;
      org->teams.emplace(text(e.team()), std::move(team));
    }
  }
  // T1: deleting a team removes the access it gave (its grants go with it).
  void apply(const schema::TeamDeleted& e) {
    if (auto* org = organization(state_, e.org())) org->teams.erase(text(e.team()));
  }

  // T2: a registered user who is not a member joins the organization as an external member.
  void apply(const schema::TeamMembersAdded& e) {
    auto* org = organization(state_, e.org());
    auto* t = team(e.org(), e.team());
    if (org == nullptr || t == nullptr || e.users() == nullptr) return;
    for (const auto* user : *e.users()) {
      if (!org->members.contains(user->str())) {
        Member external;
        external.role = Role::external;
        external.role_since = position_;
        org->members.emplace(user->str(), std::move(external));
      }
      t->members.emplace(user->str(), position_);
    }
  }

  void apply(const schema::TeamMembersRemoved& e) {
    auto* t = team(e.org(), e.team());
    if (t == nullptr || e.users() == nullptr) return;
    for (const auto* user : *e.users()) {
      t->members.erase(user->str());
      if (t->leader == user->str()) t->leader.reset();
    }
  }

  void apply(const schema::TeamProductAccessGranted& e) {
    if (auto* t = team(e.org(), e.team())) t->products.emplace(text(e.product()), position_);
  }
  void apply(const schema::TeamProductAccessRevoked& e) {
    if (auto* t = team(e.org(), e.team())) t->products.erase(text(e.product()));
  }
  void apply(const schema::TeamLeaderSet& e) {
    if (auto* t = team(e.org(), e.team())) t->leader = text(e.user());
  }

  void apply(const schema::SupportAccessGranted& e) {
    auto* org = organization(state_, e.org());
    if (org == nullptr) return;
    SupportGrant grant;
    grant.scope = static_cast<SupportScope>(std::min<std::uint8_t>(static_cast<std::uint8_t>(e.scope()), 2));
    grant.resource = optional_text(e.resource());
    grant.ticket = text(e.ticket());
    grant.granted_by = std::string(event_.actor());
    grant.recorded_at = at_;
    grant.position = position_;
    org->grants[text(e.grant())] = std::move(grant);
    // S4: naming a ticket creates it.
    state_.tickets.emplace(text(e.ticket()), Ticket{std::nullopt, position_});
  }

  SupportGrant* grant(const flatbuffers::String* org_id, const flatbuffers::String* grant_id) {
    auto* org = organization(state_, org_id);
    if (org == nullptr || grant_id == nullptr) return nullptr;
    auto it = org->grants.find(grant_id->string_view());
    return it == org->grants.end() ? nullptr : &it->second;
  }

  void apply(const schema::SupportAccessRevoked& e) {
    if (auto* g = grant(e.org(), e.grant())) {
      g->revoked_at = at_;
      g->revoked_position = position_;
    }
  }
  void apply(const schema::SupportAccessExpired& e) {
    if (auto* g = grant(e.org(), e.grant())) g->expiry_recorded = position_;
  }
  void apply(const schema::SupportTicketAssigned& e) {
    state_.tickets[text(e.ticket())] = Ticket{text(e.agent()), position_};
  }

  void apply(const schema::AbuseReportFiled& e) {
    AbuseReport report;
    report.received_at = e.received_at() ? e.received_at()->us() : at_;
    report.category = text(e.category());
    if (const auto* reporter = e.reporter(); reporter && !reporter->anonymous()) {
      report.reporter = Reporter{false, text(reporter->name()), text(reporter->email()), text(reporter->phone()),
                                 sealed_of(reporter->sealed())};
    }
    report.target = optional_text(e.target());
    report.filed = position_;
    state_.reports.emplace(text(e.report()), std::move(report));
  }

  AbuseReport* report(const flatbuffers::String* id) {
    if (id == nullptr) return nullptr;
    return state_.reports.find_mutable(id->string_view());
  }

  void stage_done(const flatbuffers::String* id, std::optional<AbuseStageDone> AbuseReport::*stage) {
    if (auto* r = report(id)) (r->*stage) = AbuseStageDone{at_, position_};
  }

  void apply(const schema::AbuseReportAssessed& e) {
    if (auto* r = report(e.report())) {
      r->assessed = AbuseStageDone{at_, position_};
      r->admissible = e.admissible();
      r->investigation_required = e.investigation_required();
      r->priority = static_cast<AbusePriority>(std::min<std::uint8_t>(static_cast<std::uint8_t>(e.priority()), 3));
    }
  }

  void apply(const schema::AbuseDeadlineBreached& e) {
    if (auto* r = report(e.report())) r->breaches_recorded.insert(static_cast<std::uint8_t>(e.stage()));
  }

  IdentityCase* identity_case(const flatbuffers::String* id) {
    if (id == nullptr) return nullptr;
    return state_.cases.find_mutable(id->string_view());
  }

  void apply(const schema::IdentityVerificationOpened& e) {
    IdentityCase c;
    c.user = text(e.user());
    c.reason = static_cast<IdentityReason>(std::min<std::uint8_t>(static_cast<std::uint8_t>(e.reason()), 5));
    c.opened = position_;
    state_.cases.emplace(text(e.case_()), std::move(c));
  }

  void apply(const schema::IdentityDocumentsSubmitted& e) {
    auto* c = identity_case(e.case_());
    if (c == nullptr) return;
    c->state = CaseState::submitted;
    c->submitted_at = at_;
    c->documents_position = position_;
    c->documents.clear();
    if (e.documents()) {
      for (std::uint32_t i = 0; i < e.documents()->size(); ++i) {
        const auto* document = e.documents()->Get(i);
        c->documents.push_back(DocumentRef{static_cast<DocumentKind>(std::min<std::uint8_t>(static_cast<std::uint8_t>(document->kind()), 2)), i});
        if (document->content() && document->content()->key_id()) {
          auto key = document->content()->key_id()->str();
          if (std::find(c->key_ids.begin(), c->key_ids.end(), key) == c->key_ids.end()) c->key_ids.push_back(std::move(key));
        }
      }
    }
  }

  void apply(const schema::IdentityVerificationCompleted& e) {
    if (auto* c = identity_case(e.case_())) {
      c->state = e.outcome() == schema::VerificationOutcome::verified ? CaseState::verified : CaseState::rejected;
    }
  }

  // K3/K4: the documents' key is destroyed (G2); an expiry purge also records the state K1 names.
  void apply(const schema::IdentityDocumentsPurged& e) {
    auto* c = identity_case(e.case_());
    if (c == nullptr) return;
    c->purged = e.reason() == schema::PurgeReason::expired ? PurgeReason::expired : PurgeReason::completed;
    if (c->purged == PurgeReason::expired && c->state == CaseState::submitted) c->state = CaseState::expired;
    shred("kcheck:" + text(e.case_()), texts(e.key_ids()));
  }

  void apply(const schema::OrderBlocked& e) {
    Order order;
    order.org = text(e.org());
    order.reason = text(e.reason());
    order.blocked_at = at_;
    order.blocked = position_;
    state_.orders.emplace(text(e.order()), std::move(order));
  }

  Order* order(const flatbuffers::String* id) {
    if (id == nullptr) return nullptr;
    return state_.orders.find_mutable(id->string_view());
  }

  void apply(const schema::OrderUnblocked& e) {
    if (auto* o = order(e.order())) o->unblocked = position_;
  }
  void apply(const schema::OrderCancelled& e) {
    if (auto* o = order(e.order())) o->cancellation_recorded = position_;
  }

  // G2: the subject stays; only its personal data becomes unreadable.
  void apply(const schema::SubjectForgotten& e) {
    const std::string subject = text(e.subject());
    const auto colon = subject.find(':');
    const std::string kind = subject.substr(0, colon), id = colon == std::string::npos ? "" : subject.substr(colon + 1);
    // A clear value of an event written before G1 (G4) stays in that event, but not in the state:
    // no snapshot written from now on holds it.
    if (kind == "user") {
      if (auto* user = state_.users.find_mutable(id)) {
        user->forgotten = position_;
        user->login.clear.clear();
      }
    } else if (kind == "abuse") {
      if (auto* report = state_.reports.find_mutable(id)) {
        report->forgotten = position_;
        auto& reporter = report->reporter;
        reporter.name.clear();
        reporter.email.clear();
        reporter.phone.clear();
      }
    } else if (kind == "kcheck") {
      if (auto* c = state_.cases.find_mutable(id)) c->forgotten = position_;
    }
    shred(subject, texts(e.key_ids()));
  }

  void shred(const std::string& subject, std::vector<std::string> key_ids) {
    auto& keys = state_.shredded[subject];
    for (auto& key : key_ids) {
      if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
    }
  }

  State& state_;
  const ledger::RecordedEvent& event_;
  Position position_;
  Micros at_;
};

}  // namespace

void evolve(State& state, const ledger::RecordedEvent& event) {
  Folder(state, event).apply();
  state.stream_versions[event.stream()] = event.stream_version();
  state.position = event.position();
  state.recorded_at = event.recorded_at();
}

}  // namespace orgledger::projections
