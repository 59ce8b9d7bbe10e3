#include "compare_workload.h"

#include <deque>
#include <string>
#include <utility>

#include "domain_random.h"

namespace orgledger::bench {
namespace {

using namespace orgledger::commands;  // the command types, by their names in DOMAIN.md

constexpr std::size_t kPeoplePerOrganization = 6;   // the founder and five colleagues sign up
constexpr std::size_t kOtherOrganizationsReach = 5000;  // a member from one of the last N organizations
constexpr std::size_t kAgents = 50;
constexpr ledger::Micros kHour = 3'600'000'000LL;
constexpr ledger::Micros kDay = 24 * kHour;
constexpr std::size_t kPartnerEvery = 10;  // one organization in ten is a reseller (C4)

const char* const kCategories[] = {"spam", "phishing", "malware", "copyright"};

// One organization's life, in the order its commands must be decided.
class OrganizationScript {
 public:
  OrganizationScript(std::size_t index, Random& random, ledger::Micros now)
      : index_(index), org_("o" + std::to_string(index)), random_(random), now_(now) {}

  std::deque<Command> commands() {
    for (std::size_t k = 0; k < kPeoplePerOrganization; ++k) {
      emit("svc:signup", RegisterUser{.user = person(k), .login = person(k) + "@mail.example.ch"});
    }
    const std::string founder = person(0);
    emit(founder, CreateOrganization{.org = org_, .name = "Organization " + std::to_string(index_) + " SA"});
    if (index_ % kPartnerEvery == 0) emit("svc:partners", JoinPartnerProgram{.org = org_});  // C4
    emit(founder, RegisterProduct{.org = org_, .product = "p-mail", .kind = "mail_service", .name = "Mail", .expires_at = {}});
    emit(founder, RegisterProduct{.org = org_, .product = "p-drive", .kind = "kdrive", .name = "kDrive", .expires_at = {}});
    emit(founder, RegisterProduct{.org = org_, .product = "p-chat", .kind = "kchat", .name = "kChat", .expires_at = {}});
    // B: hosting expires, 30 days to a year and a month away; half of it renews automatically.
    emit(founder, RegisterProduct{.org = org_, .product = "p-web", .kind = "web_hosting", .name = "Site",
                                  .expires_at = now_ + static_cast<ledger::Micros>(30 + random_.below(365)) * kDay});
    // R7: roles, a product and contact preferences in the adding batch.
    emit(founder, AddMember{.org = org_, .user = person(1), .role = Role::administrator, .products = {}, .billing = true,
                            .contact_prefs = {ContactPref::billing, ContactPref::technical}});
    const std::string admin = person(1);
    emit(admin, AddMember{.org = org_, .user = person(2), .role = Role::collaborator, .products = {"p-mail"},
                          .billing = false, .contact_prefs = {ContactPref::technical}});
    emit(admin, AddMember{.org = org_, .user = person(3), .role = Role::collaborator, .products = {"p-mail", "p-drive"},
                          .billing = {}, .contact_prefs = {}});
    emit(admin, AddMember{.org = org_, .user = person(4), .role = Role::external, .products = {}, .billing = {},
                          .contact_prefs = {}});
    emit(admin, AddMember{.org = org_, .user = person(5), .role = Role::collaborator, .products = {}, .billing = {},
                          .contact_prefs = {ContactPref::marketing}});
    std::string guest;
    if (index_ > 0 && random_.chance(0.3)) {  // someone already registered by an earlier organization
      const std::size_t reach = std::min(index_, kOtherOrganizationsReach);
      guest = person_of(index_ - 1 - random_.below(reach), 1 + random_.below(kPeoplePerOrganization - 1));
      emit(admin, AddMember{.org = org_, .user = guest, .role = Role::external, .products = {"p-web"}, .billing = {},
                            .contact_prefs = {}});
    }
    emit(founder, ChangeMemberRole{.org = org_, .user = person(3), .role = Role::administrator});  // R9: notified
    emit(admin, GrantProductAccess{.org = org_, .user = person(2), .product = "p-drive"});
    emit(admin, GrantProductAccess{.org = org_, .user = person(4), .product = "p-mail"});
    emit(admin, CreateTeam{.org = org_, .team = "t-support", .name = "Support"});
    emit(admin, AddTeamMembers{.org = org_, .team = "t-support", .users = {person(2), person(5)}});
    emit(admin, GrantTeamProductAccess{.org = org_, .team = "t-support", .product = "p-chat"});
    if (random_.chance(0.5)) emit(founder, EnableAutoRenewal{.org = org_, .product = "p-web", .payment_method = "visa"});
    partner(founder);
    support(founder);
    if (random_.chance(0.2)) emit(founder, RemoveMember{.org = org_, .user = person(5)});  // R9: notified
    if (index_ % 3 == 0) abuse_report();
    return std::move(commands_);
  }

 private:
  static std::string person_of(std::size_t org, std::size_t k) { return "u" + std::to_string(org) + "-" + std::to_string(k); }
  std::string person(std::size_t k) const { return person_of(index_, k); }

  void emit(std::string actor, Body body) {
    commands_.push_back(Command{.actor = std::move(actor),
                                .command_id = {},  // numbered when the scripts are interleaved
                                .correlation_id = {},
                                .expected_version = std::nullopt,
                                .body = std::move(body)});
  }

  // S1, S4, S5, S3: the founder lets an agent into one mailbox; the agent looks; half the time the
  // founder takes it back before the 7 days end.
  void support(const std::string& founder) {
    const std::string grant = "g-" + org_, ticket = "tk-" + org_;
    const std::string agent = "agent:a" + std::to_string(random_.below(kAgents));
    emit(founder, GrantSupportAccess{.org = org_, .grant = grant, .scope = SupportScope::mail,
                                     .resource = std::string("p-mail"), .ticket = ticket});
    emit("svc:support-desk", AssignSupportTicket{.ticket = ticket, .agent = agent});
    emit(agent, RecordSupportAccess{.org = org_, .grant = grant, .resource = "p-mail/inbox-" + std::to_string(index_)});
    if (random_.chance(0.5)) emit(founder, RevokeSupportAccess{.org = org_, .grant = grant});
  }

  // C1–C2: one organization in five lets a reseller manage its mail (or everything), and the
  // reseller's administrator makes one of its staff the manager. The reseller is the nearest one
  // before: its script started no later, and each script takes one step per round, so its first
  // steps (the programme, its administrator, its staff) precede these, which come later in a script.
  void partner(const std::string& founder) {
    if (index_ == 0 || !random_.chance(0.2)) return;
    const std::size_t partner_index = (index_ - 1) / kPartnerEvery * kPartnerEvery;
    const std::string partner_org = "o" + std::to_string(partner_index);
    PartnerScope scope;
    if (random_.chance(0.5)) scope = PartnerScope{false, {"p-mail"}};
    emit(founder, EstablishPartnerRelation{.partner_org = partner_org, .client_org = org_, .scope = scope,
                                           .billing = random_.chance(0.5)});
    emit(person_of(partner_index, 1), AssignPartnerManager{.partner_org = partner_org, .client_org = org_,
                                                           .user = person_of(partner_index, 2)});
  }

  // A1–A3: filed by the abuse desk, acknowledged, assessed, investigated when required, closed.
  void abuse_report() {
    const std::string report = "r-" + org_;
    projections::Reporter reporter;
    if (random_.chance(0.5)) {
      reporter = projections::Reporter{.anonymous = false, .name = "Reporter " + std::to_string(index_),
                                       .email = "reporter" + std::to_string(index_) + "@example.org",
                                       .phone = "+41 22 555 " + std::to_string(1000 + index_ % 9000)};
    }
    const std::string desk = "svc:abuse-desk";
    emit(desk, FileAbuseReport{.report = report, .received_at = now_ - kHour,
                               .category = kCategories[random_.below(std::size(kCategories))],
                               .reporter = std::move(reporter), .target = org_ + ".example.ch"});
    emit(desk, AcknowledgeAbuseReport{.report = report});
    const bool investigate = random_.chance(0.5);
    emit(desk, AssessAbuseReport{.report = report, .admissible = true, .priority = AbusePriority::normal,
                                 .investigation_required = investigate});
    if (investigate) emit(desk, CompleteAbuseInvestigation{.report = report, .findings = "confirmed from the headers"});
    emit(desk, CompleteCorrectiveActions{.report = report, .actions = "mailbox suspended, customer informed"});
  }

  const std::size_t index_;
  const std::string org_;
  Random& random_;
  const ledger::Micros now_;
  std::deque<Command> commands_;
};

}  // namespace

std::vector<Command> make_workload(const WorkloadShape& shape) {
  Random random(shape.seed);
  std::vector<std::deque<Command>> in_progress;
  std::size_t next_org = 0;
  std::vector<Command> out;
  out.reserve(shape.commands);
  const auto start_next = [&] { return OrganizationScript(next_org++, random, shape.now).commands(); };
  for (std::size_t slot = 0; slot < shape.interleaved; ++slot) in_progress.push_back(start_next());
  // Round robin over the scripts in progress; a finished one makes room for the next organization.
  while (out.size() < shape.commands) {
    for (auto& script : in_progress) {
      if (script.empty()) script = start_next();
      out.push_back(std::move(script.front()));
      script.pop_front();
      out.back().command_id = "c" + std::to_string(out.size());
      if (out.size() == shape.commands) break;
    }
  }
  return out;
}

}  // namespace orgledger::bench
