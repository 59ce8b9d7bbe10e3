// G2: forgetting a subject destroys its data keys (crypto-shredding). The event goes to the
// subject's own stream and names the keys; the processor destroys them once it is durable, and
// finishes that at the next start if a crash came between (processor.cc).
#include "rules.h"

namespace orgledger::commands {
namespace {

struct Subject {
  bool known = false;
  bool forgotten = false;
  std::vector<std::string> key_ids;
};

Subject find_subject(const projections::StateView& state, std::string_view kind, const std::string& id) {
  Subject out;
  if (kind == "user") {
    if (const auto* user = state.user(id)) {
      out = {true, user->forgotten.has_value(), {}};
      if (user->login.sealed) out.key_ids.push_back(user->login.sealed->key_id);
    }
  } else if (kind == "abuse") {
    // An anonymous report is a known subject without a key (G2).
    if (const auto* report = state.report(id)) {
      out = {true, report->forgotten.has_value(), {}};
      if (report->reporter.sealed) out.key_ids.push_back(report->reporter.sealed->key_id);
    }
  } else if (kind == "kcheck") {
    if (const auto* k = state.identity_case(id)) out = {true, k->forgotten.has_value(), k->key_ids};
  }
  return out;
}

}  // namespace

RuleOutcome decide_forget(const Context& ctx, const ForgetSubject& c) {
  const auto colon = c.subject.find(':');
  const auto subject = find_subject(ctx.state, std::string_view(c.subject).substr(0, colon), c.subject.substr(colon + 1));
  // The subject takes the organization's place: not_found before forbidden (DOMAIN.md order).
  if (!subject.known) return std::unexpected(reject(Code::not_found, "G2", "subject " + c.subject + " is not known"));
  if (!ctx.actor_is_service()) return std::unexpected(reject(Code::forbidden, "G2", "only a service (the privacy desk) forgets subjects"));
  if (auto conflict = ctx.version_conflict()) return std::unexpected(*conflict);
  if (subject.forgotten) return std::unexpected(reject(Code::not_active, "G2", "subject " + c.subject + " is already forgotten"));
  Events events;
  events.push_back(event(c.subject, schema::SubjectForgottenT{.subject = c.subject, .key_ids = subject.key_ids}));
  return events;
}

}  // namespace orgledger::commands
