// K5: blocked orders, unblocked within 10 days or cancelled with a full refund.
#include "orgledger/commands/stream_names.h"
#include "orgledger/projections/identity_orders.h"
#include "rules.h"

namespace orgledger::commands {
namespace {

std::expected<const projections::Order*, Rejection> existing_order(const Context& ctx, const std::string& id) {
  const auto* found = ctx.state.order(id);
  if (found == nullptr) return std::unexpected(reject(Code::not_found, "K5", "order " + id + " does not exist"));
  return found;
}

}  // namespace

RuleOutcome decide_block_order(const Context& ctx, const BlockOrder& c) {
  auto org = ctx.organization(c.org);
  if (!org) return std::unexpected(org.error());
  if (!ctx.actor_is_service()) return std::unexpected(reject(Code::forbidden, "K5", "only a service blocks orders"));
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if (ctx.state.order(c.order) != nullptr) return std::unexpected(reject(Code::already_exists, "K5", "order " + c.order + " exists"));
  Events events;
  events.push_back(event(order_stream(c.order), schema::OrderBlockedT{.order = c.order, .org = c.org, .reason = c.reason}));
  return events;
}

RuleOutcome decide_unblock_order(const Context& ctx, const UnblockOrder& c) {
  auto found = existing_order(ctx, c.order);
  if (!found) return std::unexpected(found.error());
  if (!ctx.actor_is_service() && !ctx.actor_is_agent()) {
    return std::unexpected(reject(Code::forbidden, "K5", "only a service or an agent unblocks orders"));
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  const auto& order = **found;
  // K5: an unblocked order stays so (invalid_state at any time); at or after 240 h it is cancelled.
  if (order.unblocked) return std::unexpected(reject(Code::invalid_state, "K5", "order " + c.order + " is already unblocked"));
  if (projections::order_state(order, ctx.now) == projections::OrderState::cancelled) {
    return std::unexpected(reject(Code::not_active, "K5", "the 10 days after the block have passed: the order is cancelled"));
  }
  Events events;
  events.push_back(event(order_stream(c.order), schema::OrderUnblockedT{.order = c.order}));
  return events;
}

RuleOutcome decide_cancel_order(const Context& ctx, const CancelBlockedOrder& c) {
  auto found = existing_order(ctx, c.order);
  if (!found) return std::unexpected(found.error());
  if (ctx.actor() != "svc:scheduler") return std::unexpected(reject(Code::forbidden, "K5", "only svc:scheduler cancels orders"));
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  const auto& order = **found;
  if (order.unblocked || order.cancellation_recorded || ctx.now < order.blocked_at + projections::kOrderBlockLifetime) {
    return std::unexpected(reject(Code::invalid_state, "K5", "order " + c.order + " has no cancellation to record"));
  }
  Events events;
  events.push_back(event(order_stream(c.order), schema::OrderCancelledT{.order = c.order, .refund = schema::Refund::full}));
  return events;
}

}  // namespace orgledger::commands
