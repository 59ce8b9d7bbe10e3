#include "orgledger/projections/identity_orders.h"

namespace orgledger::projections {

CaseState identity_state(const IdentityCase& c, Micros at) {
  if (c.state == CaseState::submitted && c.submitted_at && at >= *c.submitted_at + kDocumentLifetime) {
    return CaseState::expired;
  }
  return c.state;
}

std::optional<Micros> purge_at(const IdentityCase& c) {
  if (!c.submitted_at || c.purged == PurgeReason::completed) return std::nullopt;
  return *c.submitted_at + kDocumentLifetime;
}

bool documents_readable(const IdentityCase& c, Micros at) {
  if (!c.submitted_at || c.purged || c.forgotten) return false;
  return at < *c.submitted_at + kDocumentLifetime;
}

OrderState order_state(const Order& o, Micros at) {
  if (o.unblocked) return OrderState::unblocked;
  if (o.cancellation_recorded || at >= o.blocked_at + kOrderBlockLifetime) return OrderState::cancelled;
  return OrderState::blocked;
}

std::optional<Micros> cancel_at(const Order& o) {
  if (o.unblocked) return std::nullopt;
  return o.blocked_at + kOrderBlockLifetime;
}

const char* to_string(CaseState state) {
  switch (state) {
    case CaseState::open: return "open";
    case CaseState::submitted: return "submitted";
    case CaseState::verified: return "verified";
    case CaseState::rejected: return "rejected";
    case CaseState::expired: return "expired";
  }
  return "";
}

const char* to_string(OrderState state) {
  switch (state) {
    case OrderState::blocked: return "blocked";
    case OrderState::unblocked: return "unblocked";
    case OrderState::cancelled: return "cancelled";
  }
  return "";
}

}  // namespace orgledger::projections
