// P1–P2: products and direct product access.
#include "rules.h"

namespace orgledger::commands {
namespace {

// P2 (R1 rights): the organization, the actor's rights, the member and the product, in that order.
struct ProductAccessTarget {
  const projections::Organization* org;
  const projections::Member* member;
};

std::expected<ProductAccessTarget, Rejection> product_access_target(const Context& ctx, const std::string& org_id,
                                                                    const std::string& user, const std::string& product) {
  auto org = ctx.organization(org_id);
  if (!org) return std::unexpected(org.error());
  if (auto denied = ctx.require_administrator(**org, "R1")) return std::unexpected(*denied);
  auto member = ctx.member(**org, user, "P2");
  if (!member) return std::unexpected(member.error());
  if (!(*org)->products.contains(product)) return std::unexpected(reject(Code::not_found, "P2", "product " + product + " does not exist"));
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  return ProductAccessTarget{*org, *member};
}

}  // namespace

RuleOutcome decide_register_product(const Context& ctx, const RegisterProduct& c) {
  auto org = ctx.organization(c.org);
  if (!org) return std::unexpected(org.error());
  // P1: an administrator, a legal representative or the billing service.
  if (ctx.actor() != "svc:billing") {
    if (auto denied = ctx.require_administrator(**org, "P1")) return std::unexpected(*denied);
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if ((*org)->products.contains(c.product)) return std::unexpected(reject(Code::already_exists, "P1", "product " + c.product + " exists"));
  schema::ProductRegisteredT registered;
  registered.org = c.org;
  registered.product = c.product;
  registered.kind = c.kind;
  registered.name = c.name;
  if (c.expires_at) registered.expires_at = std::make_unique<schema::Instant>(*c.expires_at);
  Events events;
  events.push_back(event(org_stream(c.org), std::move(registered)));
  return events;
}

RuleOutcome decide_grant_product(const Context& ctx, const GrantProductAccess& c) {
  auto target = product_access_target(ctx, c.org, c.user, c.product);
  if (!target) return std::unexpected(target.error());
  // P2: administrators and legal representatives already have every product.
  if (target->member->role == Role::legal_representative || target->member->role == Role::administrator) {
    return std::unexpected(reject(Code::invalid_state, "P2", c.user + " is " + projections::to_string(target->member->role) +
                                                                 " and already has every product"));
  }
  if (target->member->products.contains(c.product)) {
    return std::unexpected(reject(Code::already_exists, "P2", c.user + " already has " + c.product));
  }
  Events events;
  events.push_back(event(org_stream(c.org), schema::ProductAccessGrantedT{.org = c.org, .user = c.user, .product = c.product}));
  return events;
}

RuleOutcome decide_revoke_product(const Context& ctx, const RevokeProductAccess& c) {
  auto target = product_access_target(ctx, c.org, c.user, c.product);
  if (!target) return std::unexpected(target.error());
  if (!target->member->products.contains(c.product)) {
    return std::unexpected(reject(Code::not_found, "P2", c.user + " has no direct access to " + c.product));
  }
  Events events;
  events.push_back(event(org_stream(c.org), schema::ProductAccessRevokedT{.org = c.org, .user = c.user, .product = c.product}));
  return events;
}

}  // namespace orgledger::commands
