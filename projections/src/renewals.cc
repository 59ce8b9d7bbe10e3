#include "orgledger/projections/renewals.h"

#include <algorithm>
#include <array>

namespace orgledger::projections {

bool payment_method_word(std::string_view method) {
  if (method.empty() || method.size() > 32 || method[0] < 'a' || method[0] > 'z') return false;
  return std::ranges::all_of(method, [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; });
}

bool supported_payment_method(std::string_view method) {
  constexpr std::array<std::string_view, 4> kSupported{"visa", "mastercard", "cb", "twint"};
  return std::ranges::find(kSupported, method) != kSupported.end();
}

std::vector<PaymentOwed> payments_due(const Product& product, Micros at) {
  std::vector<PaymentOwed> due = product.payments_owed;
  const auto recorded = [&](Micros expires_at) {
    return std::ranges::find(product.payments_due_recorded, expires_at) != product.payments_due_recorded.end() ||
           std::ranges::any_of(due, [&](const PaymentOwed& owed) { return owed.expires_at == expires_at; });
  };
  if (product.auto_renewal && product.expires_at && at >= *product.expires_at - kRenewalLeadTime &&
      !recorded(*product.expires_at)) {
    due.push_back(PaymentOwed{*product.expires_at, product.auto_renewal->payment_method});
  }
  std::ranges::sort(due, {}, &PaymentOwed::expires_at);
  return due;
}

std::optional<Micros> first_attempt_at(const Product& product) {
  if (!product.auto_renewal || !product.expires_at) return std::nullopt;
  return *product.expires_at - kRenewalLeadTime;
}

RenewalState renewal_state(const Product& product, Micros at) {
  return product.expires_at && at >= *product.expires_at ? RenewalState::expired : RenewalState::active;
}

const char* to_string(RenewalState state) { return state == RenewalState::expired ? "expired" : "active"; }

}  // namespace orgledger::projections
