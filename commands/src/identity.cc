// K1–K4: identity verification (kCheck). The documents are sealed under the case's own subject
// kcheck:<case> (G1) and destroyed at completion or 72 hours after submission (G2), whichever is
// first; the time rules are projections/identity_orders.h's.
#include "orgledger/projections/identity_orders.h"
#include "rules.h"

namespace orgledger::commands {
namespace {

std::string case_stream(const std::string& id) { return "kcheck:" + id; }

// The case a command acts on: its existence first (it takes the organization's place).
std::expected<const projections::IdentityCase*, Rejection> existing_case(const Context& ctx, const std::string& id) {
  const auto* found = ctx.state.identity_case(id);
  if (found == nullptr) return std::unexpected(reject(Code::not_found, "K1", "identity verification " + id + " does not exist"));
  return found;
}

std::optional<Rejection> service_or_agent(const Context& ctx, const char* rule) {
  if (ctx.actor_is_service() || ctx.actor_is_agent()) return std::nullopt;
  return reject(Code::forbidden, rule, "only a service or an agent handles identity verifications");
}

// K3/K4: the purge that destroys the case's data key (G2) names the keys it destroys.
NewEvent purged(const std::string& id, const projections::IdentityCase& c, schema::PurgeReason reason) {
  schema::IdentityDocumentsPurgedT event;
  event.case_ = id;
  event.reason = reason;
  event.key_ids = c.key_ids;
  return commands::event(case_stream(id), std::move(event));
}

}  // namespace

RuleOutcome decide_open_identity(const Context& ctx, const OpenIdentityVerification& c) {
  if (auto denied = service_or_agent(ctx, "K1")) return std::unexpected(*denied);
  if (ctx.state.user(c.user) == nullptr) return std::unexpected(reject(Code::not_found, "K1", "user " + c.user + " is not registered"));
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if (ctx.state.identity_case(c.case_id) != nullptr) {
    return std::unexpected(reject(Code::already_exists, "K1", "identity verification " + c.case_id + " exists"));
  }
  schema::IdentityVerificationOpenedT opened;
  opened.case_ = c.case_id;
  opened.user = c.user;
  opened.reason = static_cast<schema::IdentityReason>(c.reason);
  Events events;
  events.push_back(event(case_stream(c.case_id), std::move(opened)));
  return events;
}

RuleOutcome decide_submit_documents(const Context& ctx, const SubmitIdentityDocuments& c) {
  auto found = existing_case(ctx, c.case_id);
  if (!found) return std::unexpected(found.error());
  const auto& k = **found;
  // K2: the case's user, or a service.
  if (!ctx.actor_is_service() && ctx.actor() != k.user) {
    return std::unexpected(reject(Code::forbidden, "K2", "only the case's user or a service submits its documents"));
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if (k.state != projections::CaseState::open) {
    return std::unexpected(reject(Code::invalid_state, "K2", "documents are submitted once, to an open case"));
  }
  if (k.forgotten) return std::unexpected(reject(Code::invalid_state, "G2", "the case was forgotten"));
  schema::IdentityDocumentsSubmittedT submitted;
  submitted.case_ = c.case_id;
  for (const auto& document : c.documents) {
    if (!document.content.sealed) return std::unexpected(not_sealed("documents"));
    auto out = std::make_unique<schema::IdentityDocumentT>();
    out->kind = static_cast<schema::DocumentKind>(document.kind);
    out->content = to_schema(*document.content.sealed);
    submitted.documents.push_back(std::move(out));
  }
  Events events;
  events.push_back(event(case_stream(c.case_id), std::move(submitted)));
  return events;
}

RuleOutcome decide_complete_identity(const Context& ctx, const CompleteIdentityVerification& c) {
  auto found = existing_case(ctx, c.case_id);
  if (!found) return std::unexpected(found.error());
  if (auto denied = service_or_agent(ctx, "K3")) return std::unexpected(*denied);
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  const auto& k = **found;
  // K3: only a submitted case, and only while its 72 hours run.
  if (projections::identity_state(k, ctx.now) == projections::CaseState::expired) {
    return std::unexpected(reject(Code::not_active, "K3", "the 72 hours after submission have passed"));
  }
  if (k.state != projections::CaseState::submitted) {
    return std::unexpected(reject(Code::invalid_state, "K3", "only a submitted case is completed"));
  }
  schema::IdentityVerificationCompletedT completed;
  completed.case_ = c.case_id;
  completed.outcome = c.outcome == VerificationOutcome::verified ? schema::VerificationOutcome::verified
                                                                 : schema::VerificationOutcome::rejected;
  Events events;
  events.push_back(event(case_stream(c.case_id), std::move(completed)));
  events.push_back(purged(c.case_id, k, schema::PurgeReason::completed));  // K3: in the same batch
  return events;
}

RuleOutcome decide_purge_expired(const Context& ctx, const PurgeExpiredIdentityDocuments& c) {
  auto found = existing_case(ctx, c.case_id);
  if (!found) return std::unexpected(found.error());
  if (ctx.actor() != "svc:scheduler") {
    return std::unexpected(reject(Code::forbidden, "K4", "only svc:scheduler records an expiry purge"));
  }
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  const auto& k = **found;
  // K4: at submitted_at + 72 h, a case still submitted, once.
  if (k.purged || k.state != projections::CaseState::submitted ||
      projections::identity_state(k, ctx.now) != projections::CaseState::expired) {
    return std::unexpected(reject(Code::invalid_state, "K4", "case " + c.case_id + " has no expiry purge to record"));
  }
  Events events;
  events.push_back(purged(c.case_id, k, schema::PurgeReason::expired));
  return events;
}

}  // namespace orgledger::commands
