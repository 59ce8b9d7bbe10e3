// Random commands over a small world (kUsers users, kOrgs organizations), most actors chosen so
// that the rules beyond R1 get exercised: for property tests. All randomness from one seed.
#pragma once

#include <random>
#include <string>
#include <vector>

#include "orgledger/commands/command.h"
#include "orgledger/commands/processor.h"
#include "orgledger/projections/state.h"

namespace orgledger::testing {

inline constexpr int kUsers = 8, kOrgs = 3;

// RegisterUser of `user` (with a mail address of example.ch) by the signup service, under `id`.
inline commands::Command registering(const std::string& user, const std::string& id = "") {
  return commands::Command{"svc:signup", id, "", std::nullopt, commands::RegisterUser{user, user + "@example.ch"}};
}

namespace random_commands_detail {
using namespace orgledger::commands;  // the command types, by their names in DOMAIN.md
using projections::SupportScope;

class RandomCommands {
 public:
  explicit RandomCommands(std::uint64_t seed) : random_(seed) {}

  // Most actors are chosen among the organization's administrators, so that rules beyond R1 get
  // exercised; the others are anyone, to keep the refusals coming.
  commands::Command next(const projections::State& state) {
    const std::string org = "o" + std::to_string(pick(kOrgs));
    std::vector<std::string> administrators;
    if (auto it = state.organizations.find(org); it != state.organizations.end()) {
      for (const auto& [id, member] : it->second.members) {
        if (member.role == projections::Role::legal_representative || member.role == projections::Role::administrator)
          administrators.push_back(id);
      }
    }
    const std::string user = this->user();
    const std::string product = "p" + std::to_string(pick(3));
    const std::string team = "t" + std::to_string(pick(2));
    const std::string grant = "g" + std::to_string(pick(4));
    const auto role = static_cast<projections::Role>(pick(4));
    Body body;
    constexpr ledger::Micros kDay = 86'400'000'000LL;
    const char* methods[] = {"visa", "twint", "paypal"};  // paypal: unsupported (B1)
    const std::string other = "o" + std::to_string(pick(kOrgs));  // a partner (C), perhaps org itself
    switch (pick(26)) {
      case 0:
        body = CreateOrganization{org, "Org"};
        break;
      case 1:
      case 2:
        body = AddMember{.org = org, .user = user, .role = role};
        break;
      case 3:
        body = ChangeMemberRole{org, user, role};
        break;
      case 4:
        body = RemoveMember{org, user};
        break;
      case 5:
        body = LeaveOrganization{org};
        break;
      case 6:
        body = HandoverLegalRepresentative{org, this->user(), user,
                                           pick(2) ? HandoverThen::remove : HandoverThen::administrator};
        break;
      case 7:
        body = SetBillingRights{org, user, pick(2) == 0};
        break;
      case 8: {
        std::optional<ledger::Micros> expires_at;
        if (pick(2)) expires_at = state.recorded_at + (pick(40) + 1) * kDay;  // B: some expire, some never
        body = RegisterProduct{org, product, pick(2) ? "mail_service" : "kdrive", "P", expires_at};
        break;
      }
      case 9:
        body = GrantProductAccess{org, user, product};
        break;
      case 10:
        body = CreateTeam{org, team, "Team"};
        break;
      case 11:
        body = AddTeamMembers{org, team, {user}};
        break;
      case 12:
        body = GrantTeamProductAccess{org, team, product};
        break;
      case 13:
        body = pick(2) ? Body{DeleteTeam{org, team}} : Body{RemoveTeamMembers{org, team, {user}}};
        break;
      case 14:
        body = GrantSupportAccess{org, grant, pick(2) ? SupportScope::mail : SupportScope::kdrive, std::nullopt,
                                  "T" + std::to_string(pick(2))};
        break;
      case 15:
        body = RevokeSupportAccess{org, grant};
        break;
      case 17:
        body = EnableAutoRenewal{org, product, methods[pick(3)]};
        break;
      case 18:
        body = DisableAutoRenewal{org, product};
        break;
      case 20:
        body = pick(3) ? Body{JoinPartnerProgram{other}} : pick(2) ? Body{JoinAffiliateProgram{other}} : Body{LeavePartnerProgram{other}};
        break;
      case 21:
        body = EstablishPartnerRelation{other, org, pick(2) ? PartnerScope{} : PartnerScope{false, {product}}, pick(2) == 0};
        break;
      case 22:
      case 23:
        body = AssignPartnerManager{other, org, user};
        break;
      case 24:
        body = UnassignPartnerManager{other, org, user};
        break;
      case 25:
        body = EndPartnerRelation{other, org};
        break;
      case 19: {
        std::optional<std::string> method;
        if (pick(2)) method = methods[pick(3)];
        body = RenewProduct{org, product, state.recorded_at + (pick(60) + 1) * kDay, method};
        break;
      }
      default:
        body = AssignSupportTicket{"T" + std::to_string(pick(2)), "agent:a" + std::to_string(pick(2))};
        break;
    }
    std::string actor = pick(10) == 0 ? "svc:billing" : pick(10) == 0 ? "agent:a0" : this->user();
    if (std::holds_alternative<JoinPartnerProgram>(body) || std::holds_alternative<JoinAffiliateProgram>(body) ||
        std::holds_alternative<LeavePartnerProgram>(body)) {
      actor = pick(4) ? "svc:partners" : actor;  // C4: the back office, mostly
    }
    if (!administrators.empty() && pick(10) < 6)
      actor = administrators[static_cast<std::size_t>(pick(static_cast<int>(administrators.size())))];
    return commands::Command{actor, "", "", std::nullopt, std::move(body)};
  }
  ledger::Micros step() { return static_cast<ledger::Micros>(pick(3 * 3600)) * 1'000'000; }  // up to 3 h

 private:
  int pick(int n) { return static_cast<int>(random_() % static_cast<std::uint64_t>(n)); }
  std::string user() { return "u" + std::to_string(pick(kUsers)); }
  std::mt19937_64 random_;
};

// Abuse reports (every stage, A1–A6), identity cases and orders (K), which RandomCommands leaves
// out: the desks' commands, by the service that submits them.
inline Command random_desk_command(std::mt19937_64& random, const projections::State& state) {
  const auto pick = [&](int n) { return static_cast<int>(random() % static_cast<std::uint64_t>(n)); };
  const std::string report = "r" + std::to_string(pick(4)), kcase = "k" + std::to_string(pick(3)),
                    order = "o-" + std::to_string(pick(3)), user = "u" + std::to_string(pick(kUsers));
  Body body;
  switch (pick(11)) {
    case 0: body = FileAbuseReport{report, state.recorded_at, "spam", {}, std::nullopt}; break;
    case 1: body = AcknowledgeAbuseReport{report}; break;
    case 2: body = AssessAbuseReport{report, pick(2) == 0, projections::AbusePriority::high, pick(2) == 0}; break;
    case 3: body = CompleteAbuseInvestigation{report, "found"}; break;
    case 4: body = OpenIdentityVerification{kcase, user}; break;
    case 5: body = SubmitIdentityDocuments{kcase, {IdentityDocumentInput{projections::DocumentKind::passport, "scan"}}}; break;
    case 6: body = CompleteIdentityVerification{kcase}; break;
    case 7: body = BlockOrder{order, "o0", "fraud"}; break;
    case 8: body = CompleteCorrectiveActions{report, "suspended"}; break;
    case 9: body = CloseAbuseReport{report, "done"}; break;
    default: body = UnblockOrder{order}; break;
  }
  return Command{"svc:desk", "", "", std::nullopt, std::move(body)};
}

}  // namespace random_commands_detail

using random_commands_detail::RandomCommands;
using random_commands_detail::random_desk_command;

// Registers the users u0 … u<kUsers − 1> that RandomCommands names; returns how many were refused.
inline int register_random_users(commands::CommandProcessor& processor) {
  int refused = 0;
  for (int u = 0; u < kUsers; ++u) {
    const std::string user = "u" + std::to_string(u);
    if (!processor.submit(registering(user)))
      ++refused;
  }
  return refused;
}

}  // namespace orgledger::testing
