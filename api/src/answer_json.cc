#include "orgledger/api/answer_json.h"

#include <map>

#include "orgledger/api/base64.h"
#include "orgledger/projections/identity_orders.h"
#include "orgledger/projections/renewals.h"
#include "orgledger/projections/sealed_value.h"

#include <nlohmann/json.hpp>

#include "orgledger/api/time_format.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/recorded_event.h"
#include "orgledger/schema/events_generated.h"

namespace orgledger::api {
namespace {

const char* title_of(commands::Code code) {
  switch (code) {
    case commands::Code::invalid_argument:
      return "Invalid argument";
    case commands::Code::not_found:
      return "Not found";
    case commands::Code::forbidden:
      return "Forbidden";
    case commands::Code::already_exists:
      return "Already exists";
    case commands::Code::version_conflict:
      return "Version conflict";
    case commands::Code::last_legal_representative:
      return "Last legal representative";
    case commands::Code::invalid_state:
      return "Invalid state";
    case commands::Code::not_active:
      return "Not active";
    case commands::Code::conflict:
      return "Conflict";
    case commands::Code::too_close_to_expiry:
      return "Too close to expiry";
    case commands::Code::unsupported_payment_method:
      return "Unsupported payment method";
  }
  return "Error";
}

Json instant_or_null(const std::optional<ledger::Micros>& instant) {
  return instant ? Json(format_instant(*instant)) : Json(nullptr);
}

}  // namespace

Json answer_json(const ledger::CommandAnswer& answer) {
  Json out;
  out["position"] = answer.position;
  out["stream_version"] = answer.stream_version;
  Json events = Json::array();
  for (const auto& ref : answer.events)
    events.push_back({{"position", ref.position}, {"type", ledger::event_type_name(ref.type)}});
  out["events"] = std::move(events);
  if (answer.duplicate) out["duplicate"] = true;
  return out;
}

Json problem_json(commands::Code code, const std::string& rule, const std::string& detail) {
  Json out;
  out["status"] = commands::http_status(code);
  out["code"] = commands::to_string(code);
  out["title"] = title_of(code);
  out["detail"] = detail;
  out["rule"] = rule;
  return out;
}

Json failure_json(const commands::Failure& failure) {
  if (failure.rejection) {
    Json out = problem_json(failure.rejection->code, failure.rejection->rule, failure.rejection->detail);
    if (failure.position != 0) out["position"] = failure.position;  // the D2 entry
    if (failure.duplicate) out["duplicate"] = true;
    return out;
  }
  Json out;
  out["status"] = 503;
  out["code"] = "unavailable";
  out["title"] = "The ledger cannot take commands";
  out["detail"] = failure.ledger ? failure.ledger->message : "";
  out["rule"] = "";
  // API.md: the store failed while the command was being made durable; the same command id
  // after a restart answers which outcome happened.
  if (failure.ledger && failure.ledger->code == ledger::ErrorCode::outcome_unknown) out["outcome"] = "unknown";
  return out;
}

Json outcome_json(const commands::Outcome& outcome, const std::string& command_id) {
  Json out = outcome ? answer_json(*outcome) : failure_json(outcome.error());
  out["command_id"] = command_id;
  return out;
}

Json reason_json(const projections::Reason& reason) {
  Json item;
  item["kind"] = projections::to_string(reason.kind);
  if (reason.role) item["role"] = projections::to_string(*reason.role);
  if (!reason.team.empty()) item["team"] = reason.team;
  if (!reason.grant.empty()) item["grant"] = reason.grant;
  if (!reason.partner_org.empty()) item["partner_org"] = reason.partner_org;  // C2
  item["since_position"] = reason.since_position;
  return item;
}

Json reasons_json(const std::vector<projections::Reason>& reasons) {
  Json out = Json::array();
  for (const auto& reason : reasons) out.push_back(reason_json(reason));
  return out;
}

Json check_json(const projections::CheckResult& result, ledger::Position as_of_position, bool explain) {
  Json out;
  out["allowed"] = result.allowed;
  out["because"] = reasons_json(result.because);
  out["as_of_position"] = as_of_position;
  if (explain && !result.allowed) out["missing"] = result.missing;
  return out;
}

Json members_json(const std::string& org_id, const projections::Organization& org, ledger::Position as_of_position) {
  Json out;
  out["org"] = org_id;
  out["as_of_position"] = as_of_position;
  Json members = Json::array();
  for (const auto& [user, member] : org.members) {
    Json item;
    item["user"] = user;
    item["role"] = projections::to_string(member.role);
    item["billing"] = projections::billing_allowed(member);
    Json products = Json::array();
    for (const auto& [product, _] : org.products) {
      if (!projections::product_access_reasons(org, user, product).empty()) products.push_back(product);
    }
    item["products"] = std::move(products);
    Json teams = Json::array();
    for (const auto& [team_id, team] : org.teams) {
      if (team.members.contains(user)) teams.push_back(team_id);
    }
    item["teams"] = std::move(teams);
    Json prefs = Json::array();
    for (auto pref : member.contact_prefs) prefs.push_back(projections::to_string(pref));
    item["contact_prefs"] = std::move(prefs);
    members.push_back(std::move(item));
  }
  out["members"] = std::move(members);
  return out;
}

Json abuse_report_json(const std::string& id, const projections::AbuseReport& report, const projections::AbuseSla& sla,
                       const PersonalView& view) {
  Json out;
  out["report"] = id;
  out["received_at"] = format_instant(report.received_at);
  out["category"] = report.category;
  if (report.reporter.anonymous) {
    out["reporter"] = "anonymous";
  } else {
    const auto shown = show_reporter(view, id, report.reporter, report.forgotten.has_value());
    if (const auto* hidden = std::get_if<Hidden>(&shown)) {
      out["reporter"] = to_string(*hidden);  // A6 / G2
    } else {
      const auto& contact = std::get<projections::ReporterContact>(shown);
      Json details = Json::object();
      if (!contact.name.empty()) details["name"] = contact.name;
      if (!contact.email.empty()) details["email"] = contact.email;
      if (!contact.phone.empty()) details["phone"] = contact.phone;
      out["reporter"] = std::move(details);
    }
  }
  out["target"] = report.target ? Json(*report.target) : Json(nullptr);
  Json stages = Json::object();
  for (std::size_t i = 0; i < sla.stages.size(); ++i) {
    const auto& stage = sla.stages[i];
    stages[projections::to_string(static_cast<projections::AbuseStage>(i))] = {
        {"due", format_instant(stage.due)},
        {"done_at", instant_or_null(stage.done_at)},
        {"status", projections::to_string(stage.status)}};
  }
  out["stages"] = std::move(stages);
  return out;
}

namespace {

Json relation_json(const std::string& client_org, const projections::PartnerRelation& r) {
  Json item;
  item["partner_org"] = r.partner_org;
  item["client_org"] = client_org;
  if (r.full) {
    item["scope"] = "full";
  } else {
    Json products = Json::array();
    for (const auto& product : r.products) products.push_back(product);
    item["scope"] = std::move(products);
  }
  item["billing"] = r.billing;
  Json managers = Json::array();
  for (const auto& [user, since] : r.managers) managers.push_back(user);
  item["managers"] = std::move(managers);
  item["state"] = r.ended ? "ended" : "active";
  item["since_position"] = r.established;
  item["ended_position"] = r.ended ? Json(*r.ended) : Json(nullptr);
  return item;
}

}  // namespace

Json partners_json(const std::string& org_id, const projections::StateView& state, ledger::Position as_of_position) {
  Json out;
  out["org"] = org_id;
  Json relations = Json::array();
  if (const auto* org = state.organization(org_id)) {
    for (const auto& r : org->relations) relations.push_back(relation_json(org_id, r));
    const auto* clients = state.partner_clients(org_id);
    for (const auto& client_id : clients ? *clients : projections::SortedIdSet{}) {
      const auto* client = state.organization(client_id);
      if (client == nullptr) continue;
      for (const auto& r : client->relations) {
        if (r.partner_org == org_id) relations.push_back(relation_json(client_id, r));
      }
    }
  }
  out["relations"] = std::move(relations);
  out["as_of_position"] = as_of_position;
  return out;
}

Json renewals_json(const std::string& org_id, const projections::Organization& org, ledger::Micros at,
                   ledger::Position as_of_position) {
  Json out;
  out["org"] = org_id;
  Json products = Json::array();
  for (const auto& [product_id, product] : org.products) {  // a sorted map
    Json item;
    item["product"] = product_id;
    item["expires_at"] = instant_or_null(product.expires_at);
    item["state"] = projections::to_string(projections::renewal_state(product, at));
    item["auto_renewal"] = {
        {"enabled", product.auto_renewal.has_value()},
        {"payment_method", product.auto_renewal ? Json(product.auto_renewal->payment_method) : Json(nullptr)},
        {"first_attempt_at", instant_or_null(projections::first_attempt_at(product))}};
    products.push_back(std::move(item));
  }
  out["products"] = std::move(products);
  out["as_of_position"] = as_of_position;
  return out;
}

Json user_json(const std::string& id, const projections::User& user, const projections::State& state,
               const PersonalView& view, ledger::Position as_of_position) {
  Json out;
  out["user"] = id;
  const auto login = show_login(view, id, user.login, user.forgotten.has_value());
  if (const auto* hidden = std::get_if<Hidden>(&login)) out["login"] = to_string(*hidden);
  else out["login"] = std::get<std::string>(login);
  std::map<std::string_view, projections::Role> roles;  // sorted by organization
  for (const auto& [org_id, org] : state.organizations) {
    if (auto member = org.members.find(id); member != org.members.end()) roles.emplace(org_id, member->second.role);
  }
  Json organizations = Json::array();
  for (const auto& [org_id, role] : roles) organizations.push_back({{"org", org_id}, {"role", projections::to_string(role)}});
  out["organizations"] = std::move(organizations);
  out["as_of_position"] = as_of_position;
  return out;
}

Json identity_verification_json(const std::string& id, const projections::IdentityCase& c,
                                 const std::vector<projections::Sealed>& contents, const PersonalView& view,
                                 ledger::Micros at, ledger::Position as_of_position) {
  Json out;
  out["case"] = id;
  out["user"] = c.user;
  out["reason"] = projections::to_string(c.reason);
  out["state"] = projections::to_string(projections::identity_state(c, at));
  out["submitted_at"] = instant_or_null(c.submitted_at);
  out["purge_at"] = instant_or_null(projections::purge_at(c));
  // K4: unreadable from purge_at on, at the instant asked about and at the viewer's now alike.
  const bool readable = projections::documents_readable(c, at) && projections::documents_readable(c, view.now);
  Json documents = Json::array();
  for (std::size_t i = 0; i < c.documents.size(); ++i) {
    Json document;
    document["kind"] = projections::to_string(c.documents[i].kind);
    if (i >= contents.size()) {
      document["content"] = to_string(Hidden::forgotten);
    } else {
      const auto shown = show_document(view, id, contents[i], readable);
      if (const auto* hidden = std::get_if<Hidden>(&shown)) document["content"] = to_string(*hidden);
      else document["content"] = base64(std::get<std::string>(shown));
    }
    documents.push_back(std::move(document));
  }
  out["documents"] = std::move(documents);
  out["as_of_position"] = as_of_position;
  return out;
}

std::vector<projections::Sealed> document_contents(const ledger::Ledger& ledger, const projections::IdentityCase& c) {
  std::vector<projections::Sealed> out;
  if (c.documents_position == 0) return out;
  auto read = ledger.read(c.documents_position, 1);
  if (!read || read->empty()) return out;
  const auto* submitted = read->front().envelope().payload_as_IdentityDocumentsSubmitted();
  if (submitted == nullptr || submitted->documents() == nullptr) return out;
  for (const auto* document : *submitted->documents()) {
    out.push_back(projections::sealed_of(document->content()).value_or(projections::Sealed{}));
  }
  return out;
}

Json order_json(const std::string& id, const projections::Order& order, ledger::Micros at, ledger::Position as_of_position) {
  Json out;
  out["order"] = id;
  out["org"] = order.org;
  out["reason"] = order.reason;
  out["state"] = projections::to_string(projections::order_state(order, at));
  out["blocked_at"] = format_instant(order.blocked_at);
  out["cancel_at"] = instant_or_null(projections::cancel_at(order));
  out["as_of_position"] = as_of_position;
  return out;
}

Json verify_json(const ledger::VerifyReport& report) {
  Json out;
  out["ok"] = report.ok;
  out["checked"] = report.checked;
  out["head"] = {{"position", report.head.position}, {"hash", ledger::to_hex(report.head.hash)}};
  if (report.first_bad_position) {
    out["first_bad_position"] = *report.first_bad_position;
    out["problem"] = report.problem;
  }
  // Issue 14: the Merkle tree's stored nodes, rebuilt from the events.
  out["tree_leaves_checked"] = report.tree_leaves_checked;
  if (report.first_bad_leaf) {
    out["first_bad_leaf"] = *report.first_bad_leaf;
    out["tree_problem"] = report.tree_problem;
  }
  return out;
}

}  // namespace orgledger::api
