// Snapshot layout (schema/snapshot.fbs), in the ledger's `snapshots` family under name "state":
//   chunk 0       := Header {format, position, hash, recorded_at, chunks, entities, data_hash, fold_version}
//   chunk 1..n    := Chunk {users, organizations, tickets, reports, streams}: a share of each
// A snapshot is used only when: the header passes the FlatBuffers verifier, is of
// kSnapshotFormat and was folded by this build's evolve (kFoldVersion); its hash is the chain hash of the log's event at its position, and that event
// ends its command; the data chunks are all there, their SHA-256 is the header's data_hash, each
// passes the verifier, and the entities add up to the header's count.
#include "orgledger/projections/snapshot.h"

#include <flatbuffers/flatbuffers.h>

#include <openssl/evp.h>

#include <future>
#include <memory>

#include "orgledger/ledger/snapshot_records.h"
#include "orgledger/snapshot/snapshot_generated.h"

namespace orgledger::projections {
namespace {

namespace fb = orgledger::snapshot;
using flatbuffers::FlatBufferBuilder;
using flatbuffers::Offset;

constexpr std::size_t kMaxChunkEntities = 250'000;  // ~25 MB a chunk: far below FlatBuffers' 2 GiB

ledger::Hash data_hash(const std::vector<std::string>& chunks, std::size_t first) {
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> context(EVP_MD_CTX_new(), EVP_MD_CTX_free);
  EVP_DigestInit_ex(context.get(), EVP_sha256(), nullptr);
  for (std::size_t i = first; i < chunks.size(); ++i)
    EVP_DigestUpdate(context.get(), chunks[i].data(), chunks[i].size());
  ledger::Hash out{};
  unsigned int size = 0;
  EVP_DigestFinal_ex(context.get(), out.data(), &size);
  return out;
}

struct HeaderInfo {
  Position position = 0;
  Micros recorded_at = 0;
  ledger::Hash hash{};
  ledger::Hash data_hash{};
  std::uint32_t chunks = 0;
  std::uint64_t entities = 0;
};

std::expected<HeaderInfo, std::string> read_header(const std::string& bytes_text) {
  const auto* bytes = reinterpret_cast<const std::uint8_t*>(bytes_text.data());
  flatbuffers::Verifier verifier(bytes, bytes_text.size());
  if (!verifier.VerifyBuffer<fb::Header>(nullptr)) return std::unexpected(std::string("the header is damaged"));
  const auto* header = flatbuffers::GetRoot<fb::Header>(bytes);
  if (header->format() != kSnapshotFormat) return std::unexpected("unknown format " + std::to_string(header->format()));
  if (header->fold_version() != kFoldVersion) {
    return std::unexpected("folded by evolve version " + std::to_string(header->fold_version()) + ", this build folds with " +
                           std::to_string(kFoldVersion));
  }
  HeaderInfo info{header->position(), header->recorded_at(), {}, {}, header->chunks(), header->entities()};
  if (!header->hash() || header->hash()->size() != info.hash.size() || !header->data_hash() ||
      header->data_hash()->size() != info.data_hash.size()) {
    return std::unexpected(std::string("the header lacks its hashes"));
  }
  std::copy(header->hash()->begin(), header->hash()->end(), info.hash.begin());
  std::copy(header->data_hash()->begin(), header->data_hash()->end(), info.data_hash.begin());
  return info;
}

template <typename Map>
flatbuffers::Offset<flatbuffers::Vector<Offset<fb::PositionOf>>> positions(FlatBufferBuilder& b, const Map& map) {
  std::vector<Offset<fb::PositionOf>> out;
  out.reserve(map.size());
  for (const auto& [id, position] : map) out.push_back(fb::CreatePositionOf(b, b.CreateString(id), position));
  return b.CreateVector(out);
}

Offset<flatbuffers::String> optional_string(FlatBufferBuilder& b, const std::optional<std::string>& value) {
  return value ? b.CreateString(*value) : Offset<flatbuffers::String>();
}

Offset<fb::Organization> encode(FlatBufferBuilder& b, const std::string& id, const Organization& org) {
  std::vector<Offset<fb::Member>> members;
  for (const auto& [user, m] : org.members) {
    std::vector<std::uint8_t> prefs;
    for (auto pref : m.contact_prefs) prefs.push_back(static_cast<std::uint8_t>(pref));
    members.push_back(fb::CreateMember(b, b.CreateString(user), static_cast<std::uint8_t>(m.role), m.role_since,
                                       m.billing ? (*m.billing ? 2 : 1) : 0, m.billing_since, b.CreateVector(prefs),
                                       positions(b, m.products)));
  }
  std::vector<Offset<fb::Product>> products;
  for (const auto& [pid, p] : org.products) {
    std::vector<std::int64_t> owed_at;
    std::vector<std::string> owed_methods;
    for (const auto& owed : p.payments_owed) {
      owed_at.push_back(owed.expires_at);
      owed_methods.push_back(owed.payment_method);
    }
    products.push_back(fb::CreateProduct(
        b, b.CreateString(pid), b.CreateString(p.kind), b.CreateString(p.name), p.expires_at.has_value(),
        p.expires_at.value_or(0), p.since,
        p.auto_renewal ? b.CreateString(p.auto_renewal->payment_method) : Offset<flatbuffers::String>(),
        p.auto_renewal ? p.auto_renewal->since : 0, b.CreateVector(p.payments_due_recorded), b.CreateVector(owed_at),
        b.CreateVectorOfStrings(owed_methods)));
  }
  std::vector<Offset<fb::Team>> teams;
  for (const auto& [tid, t] : org.teams) {
    teams.push_back(fb::CreateTeam(b, b.CreateString(tid), b.CreateString(t.name), positions(b, t.members),
                                   optional_string(b, t.leader), positions(b, t.products), t.since));
  }
  std::vector<Offset<fb::Grant>> grants;
  for (const auto& [gid, g] : org.grants) {
    grants.push_back(fb::CreateGrant(
        b, b.CreateString(gid), static_cast<std::uint8_t>(g.scope), optional_string(b, g.resource),
        b.CreateString(g.ticket), b.CreateString(g.granted_by), g.recorded_at, g.position, g.revoked_at.has_value(),
        g.revoked_at.value_or(0), g.revoked_position, g.expiry_recorded.has_value(), g.expiry_recorded.value_or(0)));
  }
  std::vector<Offset<fb::Relation>> relations;
  for (const auto& r : org.relations) {
    std::vector<std::string> in_scope(r.products.begin(), r.products.end());
    relations.push_back(fb::CreateRelation(b, b.CreateString(r.partner_org), r.full, b.CreateVectorOfStrings(in_scope),
                                           r.billing, positions(b, r.managers), r.established, r.ended.has_value(),
                                           r.ended.value_or(0)));
  }
  return fb::CreateOrganization(b, b.CreateString(id), b.CreateString(org.name), org.created, b.CreateVector(members),
                                b.CreateVector(products), b.CreateVector(teams), b.CreateVector(grants),
                                org.partner_program, org.affiliate_program, b.CreateVector(relations));
}

std::optional<fb::StageDone> stage(const std::optional<AbuseStageDone>& done) {
  if (!done) return std::nullopt;
  return fb::StageDone(done->at, done->position);
}

Offset<fb::Sealed> encode(FlatBufferBuilder& b, const std::optional<Sealed>& sealed) {
  if (!sealed) return {};
  return fb::CreateSealed(b, b.CreateString(sealed->key_id),
                          b.CreateVector(reinterpret_cast<const std::uint8_t*>(sealed->nonce.data()), sealed->nonce.size()),
                          b.CreateVector(reinterpret_cast<const std::uint8_t*>(sealed->ciphertext.data()),
                                         sealed->ciphertext.size()));
}

Offset<fb::Case> encode(FlatBufferBuilder& b, const std::string& id, const IdentityCase& c) {
  std::vector<fb::DocumentRef> documents;
  for (const auto& d : c.documents) documents.emplace_back(static_cast<std::uint8_t>(d.kind), d.index);
  const std::uint8_t purged = c.purged ? (*c.purged == PurgeReason::completed ? 1 : 2) : 0;
  return fb::CreateCase(b, b.CreateString(id), b.CreateString(c.user), static_cast<std::uint8_t>(c.reason), c.opened,
                        static_cast<std::uint8_t>(c.state), c.submitted_at.has_value(), c.submitted_at.value_or(0),
                        c.documents_position, b.CreateVectorOfStructs(documents), b.CreateVectorOfStrings(c.key_ids),
                        purged, c.forgotten.has_value(), c.forgotten.value_or(0));
}

Offset<fb::Order> encode(FlatBufferBuilder& b, const std::string& id, const Order& o) {
  return fb::CreateOrder(b, b.CreateString(id), b.CreateString(o.org), b.CreateString(o.reason), o.blocked_at, o.blocked,
                         o.unblocked.has_value(), o.unblocked.value_or(0), o.cancellation_recorded.has_value(),
                         o.cancellation_recorded.value_or(0));
}

Offset<fb::Report> encode(FlatBufferBuilder& b, const std::string& id, const AbuseReport& r) {
  std::vector<std::uint8_t> breaches(r.breaches_recorded.begin(), r.breaches_recorded.end());
  const auto acknowledged = stage(r.acknowledged), assessed = stage(r.assessed), investigated = stage(r.investigated),
             corrective = stage(r.corrective);
  const auto id_offset = b.CreateString(id), category = b.CreateString(r.category),
             name = b.CreateString(r.reporter.name), email = b.CreateString(r.reporter.email),
             phone = b.CreateString(r.reporter.phone), target = optional_string(b, r.target);
  const auto breaches_offset = b.CreateVector(breaches);
  const auto sealed = encode(b, r.reporter.sealed);
  fb::ReportBuilder report(b);
  report.add_id(id_offset);
  report.add_received_at(r.received_at);
  report.add_category(category);
  report.add_anonymous(r.reporter.anonymous);
  report.add_name(name);
  report.add_email(email);
  report.add_phone(phone);
  if (!target.IsNull()) report.add_target(target);
  report.add_filed(r.filed);
  if (acknowledged) report.add_acknowledged(&*acknowledged);
  if (assessed) report.add_assessed(&*assessed);
  report.add_admissible(r.admissible);
  report.add_investigation_required(r.investigation_required);
  report.add_priority(static_cast<std::uint8_t>(r.priority));
  if (investigated) report.add_investigated(&*investigated);
  if (corrective) report.add_corrective(&*corrective);
  report.add_breaches(breaches_offset);
  if (!sealed.IsNull()) report.add_sealed(sealed);
  report.add_has_forgotten(r.forgotten.has_value());
  report.add_forgotten(r.forgotten.value_or(0));
  return report.Finish();
}

// Fills chunks of at most `limit` entities (an organization weighs its members, products, teams
// and grants too).
class ChunkWriter {
 public:
  explicit ChunkWriter(std::size_t limit) : limit_(limit) {}
  template <typename Add>
  void add(std::size_t weight, Add&& add_to) {
    if (weight_ > 0 && weight_ + weight > limit_) flush();
    add_to(*this);
    weight_ += weight;
  }
  std::vector<std::string> finish() {
    flush();
    return std::move(chunks_);
  }
  FlatBufferBuilder builder{1 << 20};
  std::vector<Offset<fb::User>> users;
  std::vector<Offset<fb::Organization>> organizations;
  std::vector<Offset<fb::Ticket>> tickets;
  std::vector<Offset<fb::Report>> reports;
  std::vector<Offset<fb::PositionOf>> streams;
  std::vector<Offset<fb::Case>> cases;
  std::vector<Offset<fb::Order>> orders;
  std::vector<Offset<fb::Shredded>> shredded;
  std::vector<Offset<fb::Clients>> partner_clients;

 private:
  void flush() {
    if (weight_ == 0 && !chunks_.empty()) return;
    auto chunk =
        fb::CreateChunk(builder, builder.CreateVector(users), builder.CreateVector(organizations),
                        builder.CreateVector(tickets), builder.CreateVector(reports), builder.CreateVector(streams),
                        builder.CreateVector(cases), builder.CreateVector(orders), builder.CreateVector(shredded),
                        builder.CreateVector(partner_clients));
    builder.Finish(chunk);
    chunks_.emplace_back(reinterpret_cast<const char*>(builder.GetBufferPointer()), builder.GetSize());
    builder.Clear();
    users.clear();
    organizations.clear();
    tickets.clear();
    reports.clear();
    streams.clear();
    cases.clear();
    orders.clear();
    shredded.clear();
    partner_clients.clear();
    weight_ = 0;
  }
  std::size_t limit_;
  std::size_t weight_ = 0;
  std::vector<std::string> chunks_;
};

std::size_t entity_count(const State& state) {
  return state.users.size() + state.organizations.size() + state.tickets.size() + state.reports.size() +
         state.stream_versions.size() + state.cases.size() + state.orders.size() + state.shredded.size() +
         state.partner_clients.size();
}

template <typename Vector, typename Apply>
void each(const Vector* vector, Apply&& apply) {
  if (vector == nullptr) return;
  for (const auto* item : *vector) apply(*item);
}

template <typename Target>
void read_positions(const flatbuffers::Vector<Offset<fb::PositionOf>>* vector, Target& target) {
  each(vector, [&](const fb::PositionOf& p) { target.emplace(p.id()->str(), p.position()); });
}

std::string text(const flatbuffers::String* value) { return value ? value->str() : std::string(); }
std::optional<std::string> optional_text(const flatbuffers::String* value) {
  return value ? std::optional<std::string>(value->str()) : std::nullopt;
}
std::optional<Sealed> sealed_of(const fb::Sealed* value) {
  if (value == nullptr) return std::nullopt;
  Sealed out;
  out.key_id = text(value->key_id());
  if (value->nonce()) out.nonce.assign(value->nonce()->begin(), value->nonce()->end());
  if (value->ciphertext()) out.ciphertext.assign(value->ciphertext()->begin(), value->ciphertext()->end());
  return out;
}
std::optional<Position> forgotten_of(bool has, Position position) {
  return has ? std::optional<Position>(position) : std::nullopt;
}
std::vector<std::string> texts(const flatbuffers::Vector<Offset<flatbuffers::String>>* values) {
  std::vector<std::string> out;
  each(values, [&](const flatbuffers::String& value) { out.push_back(value.str()); });
  return out;
}
std::optional<AbuseStageDone> done(const fb::StageDone* value) {
  return value ? std::optional<AbuseStageDone>(AbuseStageDone{value->at(), value->position()}) : std::nullopt;
}

void decode(const fb::Organization& o, Organization& org) {
  org.name = text(o.name());
  org.created = o.created();
  each(o.members(), [&](const fb::Member& m) {
    Member member;
    member.role = static_cast<Role>(m.role());
    member.role_since = m.role_since();
    if (m.billing() != 0) member.billing = m.billing() == 2;
    member.billing_since = m.billing_since();
    if (m.contact_prefs()) {
      for (auto pref : *m.contact_prefs()) member.contact_prefs.insert(static_cast<ContactPref>(pref));
    }
    read_positions(m.products(), member.products);
    org.members.emplace(m.user()->str(), std::move(member));
  });
  each(o.products(), [&](const fb::Product& p) {
    Product product{text(p.kind()), text(p.name()),
                    p.has_expiry() ? std::optional<Micros>(p.expires_at()) : std::nullopt, p.since()};
    if (p.auto_renewal_method()) product.auto_renewal = AutoRenewal{p.auto_renewal_method()->str(), p.auto_renewal_since()};
    if (p.payments_due_recorded()) {
      product.payments_due_recorded.assign(p.payments_due_recorded()->begin(), p.payments_due_recorded()->end());
    }
    if (p.owed_expires_at() && p.owed_methods() && p.owed_expires_at()->size() == p.owed_methods()->size()) {
      for (flatbuffers::uoffset_t i = 0; i < p.owed_expires_at()->size(); ++i) {
        product.payments_owed.push_back(PaymentOwed{p.owed_expires_at()->Get(i), p.owed_methods()->Get(i)->str()});
      }
    }
    org.products.emplace(p.id()->str(), std::move(product));
  });
  each(o.teams(), [&](const fb::Team& t) {
    Team team;
    team.name = text(t.name());
    read_positions(t.members(), team.members);
    team.leader = optional_text(t.leader());
    read_positions(t.products(), team.products);
    team.since = t.since();
    org.teams.emplace(t.id()->str(), std::move(team));
  });
  each(o.grants(), [&](const fb::Grant& g) {
    SupportGrant grant;
    grant.scope = static_cast<SupportScope>(g.scope());
    grant.resource = optional_text(g.resource());
    grant.ticket = text(g.ticket());
    grant.granted_by = text(g.granted_by());
    grant.recorded_at = g.recorded_at();
    grant.position = g.position();
    if (g.has_revoked()) grant.revoked_at = g.revoked_at();
    grant.revoked_position = g.revoked_position();
    if (g.has_expiry_recorded()) grant.expiry_recorded = g.expiry_recorded();
    org.grants.emplace(g.id()->str(), std::move(grant));
  });
  org.partner_program = o.partner_program();
  org.affiliate_program = o.affiliate_program();
  each(o.relations(), [&](const fb::Relation& r) {
    PartnerRelation relation;
    relation.partner_org = r.partner_org()->str();
    relation.full = r.full();
    each(r.products(), [&](const flatbuffers::String& product) { relation.products.insert(product.str()); });
    relation.billing = r.billing();
    read_positions(r.managers(), relation.managers);
    relation.established = r.established();
    if (r.has_ended()) relation.ended = r.ended();
    org.relations.push_back(std::move(relation));
  });

}

// Adds the entities of one chunk, verified before, to `state`.
std::expected<void, std::string> decode_chunk(const std::string& bytes_text, State& state) {
  const auto* chunk = fb::GetChunk(reinterpret_cast<const std::uint8_t*>(bytes_text.data()));
  each(chunk->users(), [&](const fb::User& u) {
    User user;
    user.login.sealed = sealed_of(u.login_sealed());
    user.login.clear = text(u.login());
    user.registered_at_position = u.registered_at_position();
    user.forgotten = forgotten_of(u.has_forgotten(), u.forgotten());
    state.users.emplace(u.id()->str(), std::move(user));
  });
  each(chunk->organizations(), [&](const fb::Organization& o) { decode(o, state.organizations[o.id()->str()]); });
  each(chunk->tickets(), [&](const fb::Ticket& t) {
    state.tickets.emplace(t.id()->str(), Ticket{optional_text(t.agent()), t.since()});
  });
  each(chunk->reports(), [&](const fb::Report& r) {
    AbuseReport report;
    report.received_at = r.received_at();
    report.category = text(r.category());
    report.reporter = Reporter{r.anonymous(), text(r.name()), text(r.email()), text(r.phone()), sealed_of(r.sealed())};
    report.forgotten = forgotten_of(r.has_forgotten(), r.forgotten());
    report.target = optional_text(r.target());
    report.filed = r.filed();
    report.acknowledged = done(r.acknowledged());
    report.assessed = done(r.assessed());
    report.admissible = r.admissible();
    report.investigation_required = r.investigation_required();
    report.priority = static_cast<AbusePriority>(r.priority());
    report.investigated = done(r.investigated());
    report.corrective = done(r.corrective());
    if (r.breaches()) report.breaches_recorded.insert(r.breaches()->begin(), r.breaches()->end());
    state.reports.emplace(r.id()->str(), std::move(report));
  });
  each(chunk->streams(), [&](const fb::PositionOf& s) { state.stream_versions.emplace(s.id()->str(), s.position()); });
  each(chunk->cases(), [&](const fb::Case& k) {
    IdentityCase c;
    c.user = text(k.user());
    c.reason = static_cast<IdentityReason>(k.reason());
    c.opened = k.opened();
    c.state = static_cast<CaseState>(k.state());
    if (k.has_submitted()) c.submitted_at = k.submitted_at();
    c.documents_position = k.documents_position();
    if (k.documents()) {
      for (const auto* d : *k.documents()) c.documents.push_back(DocumentRef{static_cast<DocumentKind>(d->kind()), d->index()});
    }
    c.key_ids = texts(k.key_ids());
    if (k.purged() != 0) c.purged = k.purged() == 1 ? PurgeReason::completed : PurgeReason::expired;
    c.forgotten = forgotten_of(k.has_forgotten(), k.forgotten());
    state.cases.emplace(k.id()->str(), std::move(c));
  });
  each(chunk->orders(), [&](const fb::Order& o) {
    Order order;
    order.org = text(o.org());
    order.reason = text(o.reason());
    order.blocked_at = o.blocked_at();
    order.blocked = o.blocked();
    order.unblocked = forgotten_of(o.has_unblocked(), o.unblocked());
    order.cancellation_recorded = forgotten_of(o.has_cancellation(), o.cancellation_recorded());
    state.orders.emplace(o.id()->str(), std::move(order));
  });
  each(chunk->shredded(), [&](const fb::Shredded& s) { state.shredded.emplace(s.subject()->str(), texts(s.key_ids())); });
  each(chunk->partner_clients(), [&](const fb::Clients& c) {
    auto& clients = state.partner_clients[c.partner()->str()];
    each(c.clients(), [&](const flatbuffers::String& client) { clients.insert(client.str()); });
  });
  return {};
}

}  // namespace

std::vector<std::string> encode_snapshot(const State& state, const ledger::Hash& hash, std::size_t max_chunk_entities,
                                         std::uint32_t fold_version) {
  ChunkWriter writer(std::max<std::size_t>(1, max_chunk_entities));
  for (const auto& [id, user] : state.users) {
    writer.add(1, [&](ChunkWriter& w) {
      auto& b = w.builder;
      const auto login = user.login.sealed ? Offset<flatbuffers::String>() : b.CreateString(user.login.clear);
      w.users.push_back(fb::CreateUser(b, b.CreateString(id), login, user.registered_at_position,
                                       encode(b, user.login.sealed), user.forgotten.has_value(),
                                       user.forgotten.value_or(0)));
    });
  }
  for (const auto& [id, org] : state.organizations) {
    std::size_t weight = 1 + org.members.size() + org.products.size() + org.teams.size() + org.grants.size();
    for (const auto& [_, member] : org.members) weight += member.products.size();
    for (const auto& [_, team] : org.teams) weight += team.members.size() + team.products.size();
    writer.add(weight, [&](ChunkWriter& w) { w.organizations.push_back(encode(w.builder, id, org)); });
  }
  for (const auto& [id, ticket] : state.tickets) {
    writer.add(1, [&](ChunkWriter& w) {
      w.tickets.push_back(fb::CreateTicket(w.builder, w.builder.CreateString(id),
                                           optional_string(w.builder, ticket.agent), ticket.since));
    });
  }
  for (const auto& [id, report] : state.reports) {
    writer.add(1, [&](ChunkWriter& w) { w.reports.push_back(encode(w.builder, id, report)); });
  }
  for (const auto& [id, c] : state.cases) {
    writer.add(1, [&](ChunkWriter& w) { w.cases.push_back(encode(w.builder, id, c)); });
  }
  for (const auto& [id, o] : state.orders) {
    writer.add(1, [&](ChunkWriter& w) { w.orders.push_back(encode(w.builder, id, o)); });
  }
  for (const auto& [subject, keys] : state.shredded) {
    writer.add(1, [&](ChunkWriter& w) {
      w.shredded.push_back(fb::CreateShredded(w.builder, w.builder.CreateString(subject),
                                              w.builder.CreateVectorOfStrings(keys)));
    });
  }
  for (const auto& [partner, clients] : state.partner_clients) {
    writer.add(1, [&](ChunkWriter& w) {
      std::vector<std::string> ids(clients.begin(), clients.end());
      w.partner_clients.push_back(fb::CreateClients(w.builder, w.builder.CreateString(partner), w.builder.CreateVectorOfStrings(ids)));
    });
  }
  for (const auto& [stream, version] : state.stream_versions) {
    writer.add(1, [&](ChunkWriter& w) {
      w.streams.push_back(fb::CreatePositionOf(w.builder, w.builder.CreateString(stream), version));
    });
  }
  auto data = writer.finish();
  const auto data_digest = data_hash(data, 0);
  FlatBufferBuilder b;
  const auto hash_offset = b.CreateVector(hash.data(), hash.size());
  const auto data_hash_offset = b.CreateVector(data_digest.data(), data_digest.size());
  b.Finish(fb::CreateHeader(b, kSnapshotFormat, state.position, hash_offset, state.recorded_at,
                            static_cast<std::uint32_t>(data.size()), entity_count(state), data_hash_offset,
                            fold_version));
  std::vector<std::string> chunks;
  chunks.reserve(data.size() + 1);
  chunks.emplace_back(reinterpret_cast<const char*>(b.GetBufferPointer()), b.GetSize());
  for (auto& chunk : data) chunks.push_back(std::move(chunk));
  return chunks;
}

std::expected<State, std::string> decode_snapshot(const std::vector<std::string>& chunks, ledger::Hash& hash) {
  if (chunks.empty()) return std::unexpected(std::string("no chunks"));
  auto header = read_header(chunks[0]);
  if (!header) return std::unexpected(header.error());
  if (header->chunks + 1 != chunks.size()) {
    return std::unexpected("has " + std::to_string(chunks.size() - 1) + " of its " + std::to_string(header->chunks) +
                           " chunks");
  }
  if (data_hash(chunks, 1) != header->data_hash)
    return std::unexpected(std::string("its data does not match its hash"));
  hash = header->hash;
  // The chunks hold disjoint entities: two threads decode half of them each into states of their
  // own, which are then merged by sharing their entries (no copy of any entity).
  auto decode_share = [&](std::size_t first) -> std::expected<State, std::string> {
    State part;
    for (std::size_t i = first; i < chunks.size(); i += 2) {
      const auto* bytes = reinterpret_cast<const std::uint8_t*>(chunks[i].data());
      flatbuffers::Verifier verifier(bytes, chunks[i].size(), 64, 100'000'000);
      if (!fb::VerifyChunkBuffer(verifier)) return std::unexpected("chunk " + std::to_string(i) + " is damaged");
      if (auto decoded = decode_chunk(chunks[i], part); !decoded)
        return std::unexpected("chunk " + std::to_string(i) + " " + decoded.error());
    }
    return part;
  };
  auto other = std::async(std::launch::async, decode_share, 2);
  auto state = decode_share(1);
  auto second = other.get();
  if (!state) return state;
  if (!second) return second;
  state->users.merge(second->users);
  state->organizations.merge(second->organizations);
  state->tickets.merge(second->tickets);
  state->reports.merge(second->reports);
  state->stream_versions.merge(second->stream_versions);
  state->cases.merge(second->cases);
  state->orders.merge(second->orders);
  state->shredded.merge(second->shredded);
  state->partner_clients.merge(second->partner_clients);
  state->position = header->position;
  state->recorded_at = header->recorded_at;
  if (entity_count(*state) != header->entities) return std::unexpected(std::string("its entities do not add up"));
  return state;
}

std::expected<void, ledger::Error> save_snapshot(ledger::Ledger& ledger, const State& state, ledger::SnapshotPace pace,
                                                 const SnapshotSeries& series) {
  if (state.position == 0) return {};
  auto event = ledger.read(state.position, 1);
  if (!event) return std::unexpected(event.error());
  if (event->empty() && state.position > ledger.head().position)
    return std::unexpected(
        ledger::Error{ledger::ErrorCode::invalid_argument, "the state is past the log's head", state.position});
  if (event->empty())
    return std::unexpected(
        ledger::Error{ledger::ErrorCode::corrupt, "no event at the snapshot's position", state.position});
  if (!event->front().ends_command()) {
    return std::unexpected(
        ledger::Error{ledger::ErrorCode::invalid_argument, "a snapshot is taken at a command's end", state.position});
  }
  ledger::SnapshotRecords snapshots(ledger);
  auto stored = snapshots.put(series.name, state.position,
                              encode_snapshot(state, event->front().hash(), kMaxChunkEntities), pace);
  if (!stored || series.kept == 0) return stored;
  // Keep the newest few: older ones only cost space.
  auto positions = snapshots.positions(series.name);
  if (positions && positions->size() > series.kept) {
    for (std::size_t i = 0; i + series.kept < positions->size(); ++i) (void)snapshots.remove(series.name, (*positions)[i]);
  }
  return {};
}

std::optional<State> load_snapshot(const ledger::Ledger& ledger, Position up_to, const SnapshotNote& note,
                                   std::optional<Micros> not_after, const SnapshotSeries& series) {
  const ledger::SnapshotRecords snapshots(ledger);
  auto positions = snapshots.positions(series.name);
  if (!positions) {
    if (note) note("snapshots could not be listed: " + positions.error().message);
    return std::nullopt;
  }
  for (auto it = positions->rbegin(); it != positions->rend(); ++it) {
    const Position position = *it;
    if (position > up_to) continue;
    auto pass = [&](const std::string& why) {
      if (note) note("snapshot at position " + std::to_string(position) + " ignored: " + why);
    };
    auto chunks = snapshots.read(series.name, position);
    if (!chunks) {
      pass(chunks.error().message);
      continue;
    }
    if (chunks->empty()) continue;  // deleted meanwhile (a newer one was stored)
    // The header first: what it says decides whether the chunks are worth decoding.
    auto header = read_header(chunks->front());
    if (!header) {
      pass(header.error());
      continue;
    }
    if (header->position != position) {
      pass("it says it is of position " + std::to_string(header->position));
      continue;
    }
    if (not_after && header->recorded_at > *not_after) continue;  // not wrong: too late for this question
    // It must be of this log (a log rebuilt or truncated since has another event there, or none),
    // and at a command's end (half a command is never a state).
    auto event = ledger.read(position, 1);
    if (!event || event->empty() || event->front().hash() != header->hash) {
      pass("it does not match the log's chain at its position");
      continue;
    }
    if (!event->front().ends_command()) {
      pass("it is not at the end of a command");
      continue;
    }
    ledger::Hash hash{};
    auto state = decode_snapshot(*chunks, hash);
    if (!state) {
      pass(state.error());
      continue;
    }
    return std::move(*state);
  }
  return std::nullopt;
}

}  // namespace orgledger::projections
