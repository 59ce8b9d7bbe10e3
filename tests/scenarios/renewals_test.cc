// B1–B4: automatic renewal, one scenario per rule and edge: billing rights, supported cards, the
// 336 h boundary at the instant and 1 µs before, the order of the refusals, RenewProduct's batch.
#include "orgledger/projections/renewals.h"
#include "scenario.h"

using namespace orgledger;
using namespace orgledger::commands;
using orgledger::testing::kHour;
using orgledger::testing::Scenario;
using orgledger::testing::types;

namespace {

// acme's people, and p-host expiring `in` from now.
void given_expiring_product(Scenario& s, ledger::Micros in) {
  s.given_acme();
  schema::ProductRegisteredT product;
  product.org = "acme";
  product.product = "p-host";
  product.kind = "hosting";
  product.expires_at = std::make_unique<schema::Instant>(s.clock().now() + in);
  s.given("org:acme", std::move(product), "svc:billing");
}

const projections::Product& product_of(const Scenario& s, const std::string& id) {
  return s.state().organizations.at("acme").products.at(id);
}

}  // namespace

TEST_CASE("B1: billing rights enable auto-renewal with a supported card - the refusals in DOMAIN.md's order") {
  Scenario s;
  given_expiring_product(s, 400 * kHour);
  // invalid_argument: not a word of [a-z][a-z0-9_]{0,31}.
  THEN_REJECTED(s.when("carol", EnableAutoRenewal{"acme", "p-host", "Visa"}), Code::invalid_argument, "");
  THEN_REJECTED(s.when("carol", EnableAutoRenewal{"acme", "p-host", std::string(33, 'v')}), Code::invalid_argument, "");
  THEN_REJECTED(s.when("carol", EnableAutoRenewal{"nowhere", "p-host", "visa"}), Code::not_found, "");
  // forbidden: a collaborator without the billing flag, an outsider, a service.
  THEN_REJECTED(s.when("cleo", EnableAutoRenewal{"acme", "p-host", "visa"}), Code::forbidden, "B1");
  THEN_REJECTED(s.when("xena", EnableAutoRenewal{"acme", "nothing", "visa"}), Code::forbidden, "B1");
  THEN_REJECTED(s.when("svc:billing", EnableAutoRenewal{"acme", "p-host", "visa"}), Code::forbidden, "B1");
  THEN_REJECTED(s.when("carol", EnableAutoRenewal{"acme", "nothing", "paypal"}), Code::not_found, "B1");
  // The state rules' own order: unsupported, no expiry, too close, already.
  THEN_REJECTED(s.when("carol", EnableAutoRenewal{"acme", "p-mail", "paypal"}), Code::unsupported_payment_method, "B1");
  THEN_REJECTED(s.when("carol", EnableAutoRenewal{"acme", "p-mail", "visa"}), Code::invalid_state, "B1");
  auto ok = s.when("carol", EnableAutoRenewal{"acme", "p-host", "visa"});
  REQUIRE(ok);
  CHECK(types(*ok) == std::vector<std::string>{"AutoRenewalEnabled"});
  // A member with the billing flag may; so may an administrator (the flag's default).
  s.given("org:acme", schema::BillingRightsSetT{.org = "acme", .user = "cleo", .billing = true}, "carol");
  CHECK(s.when("cleo", EnableAutoRenewal{"acme", "p-host", "twint"}));
  CHECK(s.when("adam", EnableAutoRenewal{"acme", "p-host", "cb"}));
  s.accept(ok, "carol");
  THEN_REJECTED(s.when("carol", EnableAutoRenewal{"acme", "p-host", "visa"}), Code::already_exists, "B1");
  auto replaced = s.when("carol", EnableAutoRenewal{"acme", "p-host", "mastercard"});  // another card replaces it
  REQUIRE(replaced);
  s.accept(replaced, "carol");
  CHECK(product_of(s, "p-host").auto_renewal->payment_method == "mastercard");
}

TEST_CASE("B1: too_close_to_expiry under 336 h - exactly 336 h is allowed, 1 µs less is not") {
  for (const ledger::Micros less : {ledger::Micros{0}, ledger::Micros{1}}) {
    Scenario s;
    given_expiring_product(s, 336 * kHour - less);
    auto decided = s.when("carol", EnableAutoRenewal{"acme", "p-host", "visa"});
    if (less == 0) CHECK(decided);
    else THEN_REJECTED(decided, Code::too_close_to_expiry, "B1");
  }
}

TEST_CASE("B2: disabling needs billing rights and an enabled renewal - first_attempt_at is expires_at - 336 h") {
  Scenario s;
  given_expiring_product(s, 1000 * kHour);
  const auto expires_at = *product_of(s, "p-host").expires_at;
  THEN_REJECTED(s.when("carol", DisableAutoRenewal{"acme", "p-host"}), Code::not_active, "B2");
  s.accept(s.when("carol", EnableAutoRenewal{"acme", "p-host", "visa"}), "carol");
  CHECK(projections::first_attempt_at(product_of(s, "p-host")) == expires_at - 336 * kHour);
  THEN_REJECTED(s.when("cleo", DisableAutoRenewal{"acme", "p-host"}), Code::forbidden, "B2");
  auto disabled = s.when("adam", DisableAutoRenewal{"acme", "p-host"});
  REQUIRE(disabled);
  s.accept(disabled, "adam");
  CHECK_FALSE(product_of(s, "p-host").auto_renewal);
  CHECK(projections::first_attempt_at(product_of(s, "p-host")) == std::nullopt);
}

TEST_CASE("B2: the payment is due at expires_at - 336 h exactly, once per expires_at, never after an earlier disable") {
  Scenario s;
  given_expiring_product(s, 1000 * kHour);
  const auto expires_at = *product_of(s, "p-host").expires_at;
  const auto due = expires_at - 336 * kHour;
  s.accept(s.when("carol", EnableAutoRenewal{"acme", "p-host", "visa"}), "carol");
  CHECK(projections::payments_due(product_of(s, "p-host"), due - 1).empty());
  CHECK(projections::payments_due(product_of(s, "p-host"), due).size() == 1);
  s.clock().set(due - 1);
  THEN_REJECTED(s.when("svc:scheduler", RecordRenewalPaymentDue{"acme", "p-host", expires_at}), Code::invalid_state, "B2");
  s.clock().set(due);
  THEN_REJECTED(s.when("svc:billing", RecordRenewalPaymentDue{"acme", "p-host", expires_at}), Code::forbidden, "B2");
  auto recorded = s.when("svc:scheduler", RecordRenewalPaymentDue{"acme", "p-host", expires_at});
  REQUIRE(recorded);
  const auto& event = *(*recorded)[0].payload.AsRenewalPaymentDue();
  CHECK(event.payment_method == "visa");
  CHECK(event.expires_at->us() == expires_at);
  s.accept(recorded, "svc:scheduler");
  THEN_REJECTED(s.when("svc:scheduler", RecordRenewalPaymentDue{"acme", "p-host", expires_at}), Code::invalid_state, "B2");
  // Renewed: due again for the new expires_at, at its own instant.
  s.accept(s.when("svc:billing", RenewProduct{"acme", "p-host", expires_at + 2000 * kHour, std::nullopt}), "svc:billing");
  CHECK(projections::payments_due(product_of(s, "p-host"), expires_at + 2000 * kHour - 336 * kHour - 1).empty());
  CHECK(projections::payments_due(product_of(s, "p-host"), expires_at + 2000 * kHour - 336 * kHour).size() == 1);

  // Disabled 1 µs before the instant: nothing is due, ever.
  Scenario quiet;
  given_expiring_product(quiet, 1000 * kHour);
  const auto quiet_due = *product_of(quiet, "p-host").expires_at - 336 * kHour;
  quiet.accept(quiet.when("carol", EnableAutoRenewal{"acme", "p-host", "visa"}), "carol");
  quiet.clock().set(quiet_due - 1);
  quiet.accept(quiet.when("carol", DisableAutoRenewal{"acme", "p-host"}), "carol");
  CHECK(projections::payments_due(product_of(quiet, "p-host"), quiet_due + 100 * kHour).empty());

  // Disabled at the instant, before the scheduler ran (downtime): still owed, recorded late.
  Scenario late;
  given_expiring_product(late, 1000 * kHour);
  const auto late_expiry = *product_of(late, "p-host").expires_at;
  late.accept(late.when("carol", EnableAutoRenewal{"acme", "p-host", "twint"}), "carol");
  late.clock().set(late_expiry - 336 * kHour);
  late.accept(late.when("carol", DisableAutoRenewal{"acme", "p-host"}), "carol");
  late.clock().set(late_expiry + 1);
  const auto owed = projections::payments_due(product_of(late, "p-host"), late.clock().now());
  REQUIRE(owed.size() == 1);
  CHECK(owed[0].payment_method == "twint");
  CHECK(late.when("svc:scheduler", RecordRenewalPaymentDue{"acme", "p-host", late_expiry}));
}

TEST_CASE("B3: a renewal moves expires_at later, and with a supported card enables auto-renewal in the same batch") {
  Scenario s;
  given_expiring_product(s, 100 * kHour);
  const auto expires_at = *product_of(s, "p-host").expires_at;
  THEN_REJECTED(s.when("cleo", RenewProduct{"acme", "p-host", expires_at + kHour, std::nullopt}), Code::forbidden, "B3");
  THEN_REJECTED(s.when("svc:billing", RenewProduct{"acme", "p-host", expires_at, std::nullopt}), Code::invalid_state, "B3");
  THEN_REJECTED(s.when("svc:billing", RenewProduct{"acme", "p-host", expires_at + kHour, "Visa!"}), Code::invalid_argument, "");
  // Still under 336 h away: the renewal stands alone.
  auto close = s.when("svc:billing", RenewProduct{"acme", "p-host", expires_at + kHour, "visa"});
  REQUIRE(close);
  CHECK(types(*close) == std::vector<std::string>{"ProductRenewed"});
  // An unsupported card: the renewal stands, auto-renewal as it was.
  auto unsupported = s.when("carol", RenewProduct{"acme", "p-host", expires_at + 1000 * kHour, "paypal"});
  REQUIRE(unsupported);
  CHECK(types(*unsupported) == std::vector<std::string>{"ProductRenewed"});
  auto both = s.when("svc:billing", RenewProduct{"acme", "p-host", expires_at + 1000 * kHour, "visa"});
  REQUIRE(both);
  CHECK(types(*both) == std::vector<std::string>{"ProductRenewed", "AutoRenewalEnabled"});
  s.accept(both, "svc:billing");
  CHECK(*product_of(s, "p-host").expires_at == expires_at + 1000 * kHour);
  CHECK(product_of(s, "p-host").auto_renewal->payment_method == "visa");
  // A product without an expiry simply gets one.
  CHECK(s.when("svc:billing", RenewProduct{"acme", "p-mail", expires_at, std::nullopt}));
}

TEST_CASE("B4: a product is expired at or after expires_at, active before and when it has none") {
  Scenario s;
  given_expiring_product(s, 10 * kHour);
  const auto& product = product_of(s, "p-host");
  CHECK(projections::renewal_state(product, *product.expires_at - 1) == projections::RenewalState::active);
  CHECK(projections::renewal_state(product, *product.expires_at) == projections::RenewalState::expired);
  CHECK(projections::renewal_state(product_of(s, "p-mail"), *product.expires_at) == projections::RenewalState::active);
}
