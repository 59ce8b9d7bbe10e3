// B1–B3: automatic renewal of products with an expiry (the lead time and the card rules are
// projections/renewals.h's).
#include "orgledger/projections/renewals.h"
#include "rules.h"

namespace orgledger::commands {
namespace {

// The organization, the actor's billing rights (`svc:billing` too when `billing_service`), then the
// product, then the version: DOMAIN.md's order.
struct RenewalTarget {
  const projections::Organization* org;
  const projections::Product* product;
};

std::expected<RenewalTarget, Rejection> renewal_target(const Context& ctx, const std::string& org_id,
                                                       const std::string& product_id, const char* rule,
                                                       bool billing_service) {
  auto org = ctx.organization(org_id);
  if (!org) return std::unexpected(org.error());
  if (!(billing_service && ctx.actor() == "svc:billing")) {
    if (auto denied = ctx.require_billing_rights(**org, rule)) return std::unexpected(*denied);
  }
  auto product = (*org)->products.find(product_id);
  if (product == (*org)->products.end()) {
    return std::unexpected(reject(Code::not_found, rule, "product " + product_id + " does not exist"));
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  return RenewalTarget{*org, &product->second};
}

// B1's state rules, in their order, for enabling `method` on `product` whose expiry would be
// `expires_at`: nullopt when it may be enabled.
std::optional<Rejection> enable_refusal(const projections::Product& product, std::optional<ledger::Micros> expires_at,
                                        const std::string& method, ledger::Micros now) {
  if (!projections::supported_payment_method(method)) {
    return reject(Code::unsupported_payment_method, "B1", method + " is not a supported payment method (visa, mastercard, cb, twint)");
  }
  if (!expires_at) return reject(Code::invalid_state, "B1", "the product has no expiry to renew");
  if (*expires_at - now < projections::kRenewalLeadTime) {
    return reject(Code::too_close_to_expiry, "B1", "the product expires in less than 14 days: renew it first");
  }
  if (product.auto_renewal && product.auto_renewal->payment_method == method) {
    return reject(Code::already_exists, "B1", "auto-renewal is already enabled with " + method);
  }
  return std::nullopt;
}

NewEvent enabled(const std::string& org, const std::string& product, const std::string& method) {
  return event(org_stream(org), schema::AutoRenewalEnabledT{.org = org, .product = product, .payment_method = method});
}

}  // namespace

RuleOutcome decide_enable_auto_renewal(const Context& ctx, const EnableAutoRenewal& c) {
  auto target = renewal_target(ctx, c.org, c.product, "B1", false);
  if (!target) return std::unexpected(target.error());
  if (auto refused = enable_refusal(*target->product, target->product->expires_at, c.payment_method, ctx.now)) {
    return std::unexpected(*refused);
  }
  Events events;
  events.push_back(enabled(c.org, c.product, c.payment_method));
  return events;
}

RuleOutcome decide_disable_auto_renewal(const Context& ctx, const DisableAutoRenewal& c) {
  auto target = renewal_target(ctx, c.org, c.product, "B2", false);
  if (!target) return std::unexpected(target.error());
  if (!target->product->auto_renewal) return std::unexpected(reject(Code::not_active, "B2", "auto-renewal is not enabled"));
  Events events;
  events.push_back(event(org_stream(c.org), schema::AutoRenewalDisabledT{.org = c.org, .product = c.product}));
  return events;
}

RuleOutcome decide_renew_product(const Context& ctx, const RenewProduct& c) {
  auto target = renewal_target(ctx, c.org, c.product, "B3", true);
  if (!target) return std::unexpected(target.error());
  const auto& product = *target->product;
  if (product.expires_at && c.expires_at <= *product.expires_at) {
    return std::unexpected(reject(Code::invalid_state, "B3", "the new expires_at is not later than the current one"));
  }
  schema::ProductRenewedT renewed;
  renewed.org = c.org;
  renewed.product = c.product;
  renewed.expires_at = std::make_unique<schema::Instant>(c.expires_at);
  renewed.payment_method = c.payment_method.value_or("");
  Events events;
  events.push_back(event(org_stream(c.org), std::move(renewed)));
  // B3: with a supported method, auto-renewal is enabled where B1 would allow it; otherwise the
  // renewal stands alone.
  if (c.payment_method && !enable_refusal(product, c.expires_at, *c.payment_method, ctx.now)) {
    events.push_back(enabled(c.org, c.product, *c.payment_method));
  }
  return events;
}

RuleOutcome decide_record_payment_due(const Context& ctx, const RecordRenewalPaymentDue& c) {
  auto org = ctx.organization(c.org);
  if (!org) return std::unexpected(org.error());
  if (ctx.actor() != "svc:scheduler") {
    return std::unexpected(reject(Code::forbidden, "B2", "only svc:scheduler records a payment due"));
  }
  auto product = (*org)->products.find(c.product);
  if (product == (*org)->products.end()) {
    return std::unexpected(reject(Code::not_found, "B2", "product " + c.product + " does not exist"));
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  // B2: once per expires_at, at or after expires_at − 336 h, while auto-renewal was on.
  for (const auto& due : projections::payments_due(product->second, ctx.now)) {
    if (due.expires_at != c.expires_at) continue;
    schema::RenewalPaymentDueT recorded;
    recorded.org = c.org;
    recorded.product = c.product;
    recorded.expires_at = std::make_unique<schema::Instant>(due.expires_at);
    recorded.payment_method = due.payment_method;
    Events events;
    events.push_back(event(org_stream(c.org), std::move(recorded)));
    return events;
  }
  return std::unexpected(reject(Code::invalid_state, "B2", "no payment of " + c.product + " is due for that expires_at"));
}

}  // namespace orgledger::commands
