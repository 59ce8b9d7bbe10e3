#include <algorithm>

#include "orgledger/projections/access.h"
#include "rules.h"

namespace orgledger::commands {

std::optional<Rejection> Context::version_conflict() const {
  if (!command.expected_version) return std::nullopt;
  const std::string stream = stream_of(command.body);
  const auto actual = state.stream_version(stream);
  if (actual == *command.expected_version) return std::nullopt;
  return reject(Code::version_conflict, "D1",
                stream + " is at version " + std::to_string(actual) + ", expected " +
                    std::to_string(*command.expected_version));
}

std::expected<const projections::Organization*, Rejection> Context::organization(const std::string& id) const {
  const auto* org = state.organization(id);
  if (org == nullptr) return std::unexpected(reject(Code::not_found, "", "organization " + id + " does not exist"));
  return org;
}

const projections::Member* Context::actor_member(const projections::Organization& org) const {
  auto it = org.members.find(actor());
  return it == org.members.end() ? nullptr : &it->second;
}

std::optional<Rejection> Context::require_administrator(const projections::Organization& org, const char* rule) const {
  const auto* member = actor_member(org);
  if (member != nullptr &&
      (member->role == Role::legal_representative || member->role == Role::administrator)) {
    return std::nullopt;
  }
  return reject(Code::forbidden, rule, actor() + " is not an administrator or legal representative of the organization");
}

std::optional<Rejection> Context::require_billing_rights(const projections::Organization& org, const char* rule) const {
  const auto* member = actor_member(org);
  if (member != nullptr && projections::billing_allowed(*member)) return std::nullopt;
  // B1/C2: a manager of an active partner relation with billing.
  if (!org.relations.empty() && !projections::partner_reasons(org, actor(), std::nullopt).empty()) return std::nullopt;
  return reject(Code::forbidden, rule, actor() + " has no billing rights on the organization");
}

std::expected<const projections::Member*, Rejection> Context::member(const projections::Organization& org,
                                                                     const std::string& user, const char* rule) const {
  auto it = org.members.find(user);
  if (it == org.members.end()) return std::unexpected(reject(Code::not_found, rule, user + " is not a member"));
  return &it->second;
}

std::string org_stream(const std::string& org) { return "org:" + org; }

std::unique_ptr<schema::SealedT> to_schema(const projections::Sealed& sealed) {
  auto out = std::make_unique<schema::SealedT>();
  out->key_id = sealed.key_id;
  out->nonce.assign(sealed.nonce.begin(), sealed.nonce.end());
  out->ciphertext.assign(sealed.ciphertext.begin(), sealed.ciphertext.end());
  return out;
}

Rejection not_sealed(const char* field) {
  return reject(Code::invalid_argument, "G1", std::string(field) + ": personal data reaches the rules only sealed");
}

schema::Role to_schema(projections::Role role) {
  switch (role) {
    case Role::legal_representative: return schema::Role::legal_representative;
    case Role::administrator: return schema::Role::administrator;
    case Role::collaborator: return schema::Role::collaborator;
    case Role::external: return schema::Role::external;
  }
  return schema::Role::unspecified;
}

NewEvent notification(const std::string& org, const std::string& user, std::string kind, std::string summary) {
  return event(org_stream(org), schema::NotificationQueuedT{.org = org, .user = user, .kind = std::move(kind),
                                                            .summary = std::move(summary)});
}

std::size_t legal_representatives(const projections::Organization& org) {
  return static_cast<std::size_t>(std::ranges::count_if(
      org.members, [](const auto& entry) { return entry.second.role == Role::legal_representative; }));
}

}  // namespace orgledger::commands
