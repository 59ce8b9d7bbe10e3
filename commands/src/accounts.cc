// U1 users, O1–O2 organizations.
#include "rules.h"

namespace orgledger::commands {

RuleOutcome decide_register_user(const Context& ctx, const RegisterUser& c) {
  // U1: the sign-up service registers people.
  if (!ctx.actor_is_service()) return std::unexpected(reject(Code::forbidden, "U1", "only a service (svc:*) registers users"));
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if (ctx.state.user(c.user) != nullptr) return std::unexpected(reject(Code::already_exists, "U1", "user " + c.user + " exists"));
  if (!c.login.sealed) return std::unexpected(not_sealed("login"));
  Events events;
  schema::UserRegisteredT registered;
  registered.user = c.user;
  registered.login_sealed = to_schema(*c.login.sealed);  // G1: never the clear login
  events.push_back(event("user:" + c.user, std::move(registered)));
  return events;
}

RuleOutcome decide_create_organization(const Context& ctx, const CreateOrganization& c) {
  // O1: any registered user, as many as they like.
  if (ctx.state.user(ctx.actor()) == nullptr) {
    return std::unexpected(reject(Code::forbidden, "O1", "only a registered user creates organizations"));
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if (ctx.state.organization(c.org) != nullptr) {
    return std::unexpected(reject(Code::already_exists, "O1", "organization " + c.org + " exists"));
  }
  // O1: the creator becomes legal representative in the same atomic batch.
  Events events;
  events.push_back(event(org_stream(c.org), schema::OrganizationCreatedT{.org = c.org, .name = c.name}));
  events.push_back(event(org_stream(c.org), schema::MemberAddedT{.org = c.org, .user = ctx.actor(),
                                                                  .role = schema::Role::legal_representative}));
  return events;
}

RuleOutcome decide_update_organization(const Context& ctx, const UpdateOrganizationDetails& c) {
  auto org = ctx.organization(c.org);
  if (!org) return std::unexpected(org.error());
  const auto* actor = ctx.actor_member(**org);
  if (actor == nullptr || actor->role != Role::legal_representative) {
    return std::unexpected(reject(Code::forbidden, "O2", "only a legal representative edits the organization's details"));
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  Events events;
  events.push_back(event(org_stream(c.org), schema::OrganizationDetailsUpdatedT{.org = c.org, .name = c.name.value_or("")}));
  return events;
}

}  // namespace orgledger::commands
