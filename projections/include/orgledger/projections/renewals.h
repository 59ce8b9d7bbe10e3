// B1–B4: automatic renewal of products with an expiry — supported cards, the 14-day (336 h) lead
// time, and the first payment attempts the scheduler puts on record, also late after downtime.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "orgledger/projections/state.h"

namespace orgledger::projections {

// B1: a payment method is a word of [a-z][a-z0-9_]{0,31}; only these are supported.
bool payment_method_word(std::string_view method);
bool supported_payment_method(std::string_view method);

// B2: the first payment attempts due at `at` and not yet on record: those owed from before (a
// renewal or a disable after their instant), and the current expires_at's once `at` reaches
// expires_at − 336 h while auto-renewal is enabled. Ordered by expires_at.
std::vector<PaymentOwed> payments_due(const Product& product, Micros at);

// B4: expires_at − 336 h while auto-renewal is enabled and the product has an expiry, else null.
std::optional<Micros> first_attempt_at(const Product& product);

// B4: expired at or after expires_at (a product without one stays active).
enum class RenewalState { active, expired };
RenewalState renewal_state(const Product& product, Micros at);
const char* to_string(RenewalState state);

}  // namespace orgledger::projections
