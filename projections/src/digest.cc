// The canonical form a projection digest is taken of:
//   projection := string(name) entity*         its name first (no two projections share a digest),
//                                              then its entities in ascending order of their ids
//   entity     := string(id) field*            fields in the order written below; an organization's
//                                              members, products, teams or grants: u64(count) first
//   string     := u64(length) bytes
//   u64        := 8 bytes, little-endian; a bool or an enum is a u64, an absent optional is
//                 u64(0) and a present one u64(1) followed by its value
// Nothing depends on hashing order, pointer values or the machine's byte order.
#include "orgledger/projections/digest.h"

#include <openssl/evp.h>

#include <algorithm>
#include <memory>

namespace orgledger::projections {
namespace {

class Canonical {
 public:
  explicit Canonical(std::string_view projection) : context_(EVP_MD_CTX_new(), EVP_MD_CTX_free) {
    EVP_DigestInit_ex(context_.get(), EVP_sha256(), nullptr);
    text(projection);
  }
  void u64(std::uint64_t value) {
    unsigned char bytes[8];
    for (int i = 0; i < 8; ++i) bytes[i] = static_cast<unsigned char>(value >> (8 * i));
    EVP_DigestUpdate(context_.get(), bytes, sizeof bytes);
  }
  void text(std::string_view value) {
    u64(value.size());
    EVP_DigestUpdate(context_.get(), value.data(), value.size());
  }
  template <typename T>
  void optional(const std::optional<T>& value) {
    u64(value ? 1 : 0);
    if (!value) return;
    if constexpr (std::is_same_v<T, std::string>)
      text(*value);
    else
      u64(static_cast<std::uint64_t>(*value));
  }
  template <typename Map>
  void positions(const Map& map) {  // id → position maps (sorted already)
    u64(map.size());
    for (const auto& [id, position] : map) {
      text(id);
      u64(position);
    }
  }
  // G1: ciphertext only (digests never change when a key is destroyed); absent adds nothing, so
  // the digests of states without sealed values are those of the builds before G1.
  void sealed(const std::optional<Sealed>& value) {
    if (!value) return;
    text(value->key_id);
    text(value->nonce);
    text(value->ciphertext);
  }
  void marked(std::string_view what, const std::optional<Position>& position) {
    if (!position) return;
    text(what);
    u64(*position);
  }
  ledger::Hash finish() {
    ledger::Hash out{};
    unsigned int size = 0;
    EVP_DigestFinal_ex(context_.get(), out.data(), &size);
    return out;
  }

 private:
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context_;
};

// The ids of a hash map, sorted.
template <typename Map>
std::vector<const typename Map::value_type*> sorted(const Map& map) {
  std::vector<const typename Map::value_type*> entries;
  entries.reserve(map.size());
  for (const auto& entry : map) entries.push_back(&entry);
  std::sort(entries.begin(), entries.end(), [](auto* a, auto* b) { return a->first < b->first; });
  return entries;
}

// Runs `write(canonical, org_id, org)` for every organization in order; counts what it says.
template <typename Write>
ProjectionDigest per_organization(const char* name, const State& state, Write&& write) {
  Canonical canonical(name);
  std::size_t entities = 0;
  for (const auto* entry : sorted(state.organizations)) entities += write(canonical, entry->first, entry->second);
  return {name, entities, canonical.finish()};
}

}  // namespace

std::vector<ProjectionDigest> projection_digests(const State& state) {
  std::vector<ProjectionDigest> out;
  {
    Canonical c("users");
    for (const auto* entry : sorted(state.users)) {
      c.text(entry->first);
      c.text(entry->second.login.clear);
      c.u64(entry->second.registered_at_position);
      c.sealed(entry->second.login.sealed);
      c.marked("forgotten", entry->second.forgotten);
    }
    out.push_back({"users", state.users.size(), c.finish()});
  }
  out.push_back(
      per_organization("organizations", state, [](Canonical& c, const std::string& id, const Organization& org) {
        c.text(id);
        c.text(org.name);
        c.u64(org.created);
        return std::size_t{1};
      }));
  out.push_back(per_organization("members", state, [](Canonical& c, const std::string& id, const Organization& org) {
    c.text(id);
    c.u64(org.members.size());
    for (const auto& [user, member] : org.members) {
      c.text(user);
      c.u64(static_cast<std::uint64_t>(member.role));
      c.u64(member.role_since);
      c.optional(member.billing);
      c.u64(member.billing_since);
      c.u64(member.contact_prefs.size());
      for (auto pref : member.contact_prefs) c.u64(static_cast<std::uint64_t>(pref));
      c.positions(member.products);
    }
    return org.members.size();
  }));
  out.push_back(per_organization("products", state, [](Canonical& c, const std::string& id, const Organization& org) {
    c.text(id);
    c.u64(org.products.size());
    for (const auto& [product_id, product] : org.products) {
      c.text(product_id);
      c.text(product.kind);
      c.text(product.name);
      c.optional(product.expires_at);
      c.u64(product.since);
      // B1–B2, only when there is something: the digests of states without renewals are unchanged.
      if (product.auto_renewal) {
        c.text("auto_renewal");
        c.text(product.auto_renewal->payment_method);
        c.u64(product.auto_renewal->since);
      }
      for (auto expires_at : product.payments_due_recorded) {
        c.text("payment_due");
        c.u64(static_cast<std::uint64_t>(expires_at));
      }
      for (const auto& owed : product.payments_owed) {
        c.text("payment_owed");
        c.u64(static_cast<std::uint64_t>(owed.expires_at));
        c.text(owed.payment_method);
      }
    }
    return org.products.size();
  }));
  out.push_back(per_organization("teams", state, [](Canonical& c, const std::string& id, const Organization& org) {
    c.text(id);
    c.u64(org.teams.size());
    for (const auto& [team_id, team] : org.teams) {
      c.text(team_id);
      c.text(team.name);
      c.positions(team.members);
      c.optional(team.leader);
      c.positions(team.products);
      c.u64(team.since);
    }
    return org.teams.size();
  }));
  out.push_back(
      per_organization("support_grants", state, [](Canonical& c, const std::string& id, const Organization& org) {
        c.text(id);
        c.u64(org.grants.size());
        for (const auto& [grant_id, grant] : org.grants) {
          c.text(grant_id);
          c.u64(static_cast<std::uint64_t>(grant.scope));
          c.optional(grant.resource);
          c.text(grant.ticket);
          c.text(grant.granted_by);
          c.u64(static_cast<std::uint64_t>(grant.recorded_at));
          c.u64(grant.position);
          c.optional(grant.revoked_at);
          c.u64(grant.revoked_position);
          c.optional(grant.expiry_recorded);
        }
        return org.grants.size();
      }));
  {
    Canonical c("tickets");
    for (const auto* entry : sorted(state.tickets)) {
      c.text(entry->first);
      c.optional(entry->second.agent);
      c.u64(entry->second.since);
    }
    out.push_back({"tickets", state.tickets.size(), c.finish()});
  }
  {
    Canonical c("abuse_reports");
    auto stage = [&](const std::optional<AbuseStageDone>& done) {
      c.u64(done ? 1 : 0);
      if (done) {
        c.u64(static_cast<std::uint64_t>(done->at));
        c.u64(done->position);
      }
    };
    for (const auto* entry : sorted(state.reports)) {
      const auto& report = entry->second;
      c.text(entry->first);
      c.u64(static_cast<std::uint64_t>(report.received_at));
      c.text(report.category);
      c.u64(report.reporter.anonymous);
      c.text(report.reporter.name);
      c.text(report.reporter.email);
      c.text(report.reporter.phone);
      c.optional(report.target);
      c.u64(report.filed);
      stage(report.acknowledged);
      stage(report.assessed);
      c.u64(report.admissible);
      c.u64(report.investigation_required);
      c.u64(static_cast<std::uint64_t>(report.priority));
      stage(report.investigated);
      stage(report.corrective);
      c.u64(report.breaches_recorded.size());
      for (auto breach : report.breaches_recorded) c.u64(breach);
      c.sealed(report.reporter.sealed);
      c.marked("forgotten", report.forgotten);
    }
    out.push_back({"abuse_reports", state.reports.size(), c.finish()});
  }
  {
    Canonical c("streams");
    for (const auto* entry : sorted(state.stream_versions)) {
      c.text(entry->first);
      c.u64(entry->second);
    }
    out.push_back({"streams", state.stream_versions.size(), c.finish()});
  }
  // Added with K, after the projections of the builds before (replay --json keeps their order).
  {
    Canonical c("identity_verifications");
    for (const auto* entry : sorted(state.cases)) {
      const auto& k = entry->second;
      c.text(entry->first);
      c.text(k.user);
      c.u64(static_cast<std::uint64_t>(k.reason));
      c.u64(k.opened);
      c.u64(static_cast<std::uint64_t>(k.state));
      c.optional(k.submitted_at);
      c.u64(k.documents_position);
      c.u64(k.documents.size());
      for (const auto& d : k.documents) {
        c.u64(static_cast<std::uint64_t>(d.kind));
        c.u64(d.index);
      }
      c.u64(k.key_ids.size());
      for (const auto& key : k.key_ids) c.text(key);
      c.optional(k.purged);
      c.marked("forgotten", k.forgotten);
    }
    out.push_back({"identity_verifications", state.cases.size(), c.finish()});
  }
  {
    Canonical c("orders");
    for (const auto* entry : sorted(state.orders)) {
      const auto& o = entry->second;
      c.text(entry->first);
      c.text(o.org);
      c.text(o.reason);
      c.u64(static_cast<std::uint64_t>(o.blocked_at));
      c.u64(o.blocked);
      c.optional(o.unblocked);
      c.optional(o.cancellation_recorded);
    }
    out.push_back({"orders", state.orders.size(), c.finish()});
  }
  out.push_back(per_organization("partners", state, [&state](Canonical& c, const std::string& id, const Organization& org) {
    c.text(id);
    c.u64(org.partner_program);
    c.u64(org.affiliate_program);
    c.u64(org.relations.size());
    for (const auto& r : org.relations) {
      c.text(r.partner_org);
      c.u64(r.full);
      c.u64(r.products.size());
      for (const auto& product : r.products) c.text(product);
      c.u64(r.billing);
      c.positions(r.managers);
      c.u64(r.established);
      c.optional(r.ended);
    }
    const auto clients = state.partner_clients.find(id);
    c.u64(clients == state.partner_clients.end() ? 0 : clients->second.size());
    if (clients != state.partner_clients.end()) {
      for (const auto& client : clients->second) c.text(client);
    }
    return org.relations.size();
  }));
  return out;
}

}  // namespace orgledger::projections
