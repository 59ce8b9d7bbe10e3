// The domain state: everything DOMAIN.md's rules and queries need, as plain values. Built only by
// evolve() (evolve.h) from the log, so that live state, replay and as-of are one fold.
#pragma once

#include <boost/container/flat_map.hpp>
#include <boost/container/flat_set.hpp>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "orgledger/ledger/types.h"
#include "orgledger/projections/persistent_map.h"

namespace orgledger::projections {

// The state's maps of entities by id: persistent (persistent_map.h), so that a copy of the whole
// state costs nine pointers and the writer's next change copies only what it touches — readers
// keep the version they started with (issue 15). Searched with the string_views of stored events.
template <typename Value>
using IdMap = PersistentMap<Value>;
// An organization's members, products, teams and grants: sorted vectors, not trees. Organizations
// hold tens to hundreds of entries; a check walks a few of them, and the writer copies a whole
// organization the first time a group changes it (copy on write of the published version), where
// a tree costs one allocation and one cache miss per node. Ids are short enough to sit inside the vector (SSO).
template <typename Value>
using SortedIdMap = boost::container::flat_map<std::string, Value, std::less<>>;
template <typename Value>
using SortedSet = boost::container::flat_set<Value>;
// Ids, searched with string_views like the maps.
using SortedIdSet = boost::container::flat_set<std::string, std::less<>>;

using ledger::Micros;
using ledger::Position;

// Roles, strongest first (DOMAIN.md, Roles).
enum class Role : std::uint8_t { legal_representative, administrator, collaborator, external };

// R8: which administrative notices a member receives (a set of these).
enum class ContactPref : std::uint8_t { billing, technical, legal, marketing };

// S1: each scope is a separate authorization.
enum class SupportScope : std::uint8_t { mail, kdrive, kchat };

enum class AbusePriority : std::uint8_t { low, normal, high, critical };

// K1.
enum class IdentityReason : std::uint8_t { forgotten_password, forgotten_login, disable_2fa, account_unlock, first_payout, order_review };
enum class DocumentKind : std::uint8_t { id_card, passport, selfie };
// K1: the recorded states; `expired` is also what a `submitted` case becomes at purge_at (K4),
// whether or not the scheduler has run: see identity_state().
enum class CaseState : std::uint8_t { open, submitted, verified, rejected, expired };
enum class PurgeReason : std::uint8_t { completed, expired };

const char* to_string(Role role);
const char* to_string(ContactPref pref);
const char* to_string(SupportScope scope);
const char* to_string(AbusePriority priority);
std::optional<Role> parse_role(std::string_view text);
std::optional<ContactPref> parse_contact_pref(std::string_view text);
std::optional<SupportScope> parse_support_scope(std::string_view text);
std::optional<AbusePriority> parse_abuse_priority(std::string_view text);
const char* to_string(IdentityReason reason);
const char* to_string(DocumentKind kind);
const char* to_string(PurgeReason reason);
std::optional<IdentityReason> parse_identity_reason(std::string_view text);
std::optional<DocumentKind> parse_document_kind(std::string_view text);
// S1: the product kind a scope reaches (mail → mail_service, kdrive → kdrive, kchat → kchat).
std::string_view product_kind_of(SupportScope scope);

// G1: a personal value as the log holds it, sealed under its subject's data key (vault/). The
// state never holds personal data in clear, except what events written before G1 hold (G4).
struct Sealed {
  std::string key_id;
  std::string nonce;
  std::string ciphertext;
  friend bool operator==(const Sealed&, const Sealed&) = default;
};

// A personal text: sealed (G1), or in clear from an event written before G1 (G4).
struct PersonalText {
  std::optional<Sealed> sealed;
  std::string clear;  // G4 only; empty when sealed
  friend bool operator==(const PersonalText&, const PersonalText&) = default;
};

struct User {
  PersonalText login;  // U1
  Position registered_at_position = 0;
  std::optional<Position> forgotten;  // G2: the SubjectForgotten event
  friend bool operator==(const User&, const User&) = default;
};

struct Member {
  Role role = Role::collaborator;
  Position role_since = 0;                 // the event that gave the current role
  std::optional<bool> billing;             // absent: the role's default (yes for legal rep / admin)
  Position billing_since = 0;
  SortedSet<ContactPref> contact_prefs;
  SortedIdMap<Position> products;  // P2: direct product access, since which position
  friend bool operator==(const Member&, const Member&) = default;
};

// B1: auto-renewal while enabled, with its card (the payment method's word).
struct AutoRenewal {
  std::string payment_method;
  Position since = 0;
  friend bool operator==(const AutoRenewal&, const AutoRenewal&) = default;
};

// B2: a first payment attempt that fell due (at expires_at − 336 h, while auto-renewal was on) and
// is not yet on record: the scheduler catches up on it, even after a renewal or a disable.
struct PaymentOwed {
  Micros expires_at = 0;
  std::string payment_method;
  friend bool operator==(const PaymentOwed&, const PaymentOwed&) = default;
};

struct Product {
  std::string kind;
  std::string name;
  std::optional<Micros> expires_at;
  Position since = 0;
  std::optional<AutoRenewal> auto_renewal;        // B1
  std::vector<Micros> payments_due_recorded;      // B2: the expires_at of each RenewalPaymentDue
  std::vector<PaymentOwed> payments_owed;         // B2: due while enabled, not yet on record
  friend bool operator==(const Product&, const Product&) = default;
};

// B1–B2: the first payment attempt is due 14 days (336 h) before expires_at.
inline constexpr Micros kRenewalLeadTime = 336LL * 3600 * 1'000'000;

struct Team {
  std::string name;
  SortedIdMap<Position> members;   // user → since
  std::optional<std::string> leader;         // T4: always a member
  SortedIdMap<Position> products;  // T3: product → since
  Position since = 0;
  friend bool operator==(const Team&, const Team&) = default;
};

struct SupportGrant {
  SupportScope scope = SupportScope::mail;
  std::optional<std::string> resource;  // S1: absent = every resource of the scope
  std::string ticket;
  std::string granted_by;
  Micros recorded_at = 0;
  Position position = 0;
  std::optional<Micros> revoked_at;          // S3
  Position revoked_position = 0;
  std::optional<Position> expiry_recorded;   // S6: the scheduler's SupportAccessExpired
  friend bool operator==(const SupportGrant&, const SupportGrant&) = default;
};

// C1–C3: a partner relation, kept by the client organization (its stream holds every event of it).
struct PartnerRelation {
  std::string partner_org;
  bool full = false;                  // every product of the client, later ones included
  SortedIdSet products;               // when not full
  bool billing = false;
  SortedIdMap<Position> managers;     // C2: assigned users → since
  Position established = 0;
  std::optional<Position> ended;
  friend bool operator==(const PartnerRelation&, const PartnerRelation&) = default;
};

struct Organization {
  std::string name;
  Position created = 0;
  SortedIdMap<Member> members;
  SortedIdMap<Product> products;
  SortedIdMap<Team> teams;
  SortedIdMap<SupportGrant> grants;
  bool partner_program = false;               // C4
  bool affiliate_program = false;             // C4
  std::vector<PartnerRelation> relations;     // C1: as client, every relation ever, in order
  friend bool operator==(const Organization&, const Organization&) = default;
};

struct Ticket {
  std::optional<std::string> agent;  // S4: the agent assigned now
  Position since = 0;
  friend bool operator==(const Ticket&, const Ticket&) = default;
};

// A1: contact details, sealed since G1 (a ReporterContact); in clear in reports filed before (G4).
// A command carries them in clear (name, email, phone) until the processor seals them.
struct Reporter {
  bool anonymous = true;
  std::string name, email, phone;
  std::optional<Sealed> sealed;
  friend bool operator==(const Reporter&, const Reporter&) = default;
};

struct AbuseStageDone {
  Micros at = 0;
  Position position = 0;
  friend bool operator==(const AbuseStageDone&, const AbuseStageDone&) = default;
};

struct AbuseReport {
  Micros received_at = 0;
  std::string category;
  Reporter reporter;
  std::optional<std::string> target;
  Position filed = 0;
  std::optional<AbuseStageDone> acknowledged;
  std::optional<AbuseStageDone> assessed;
  bool admissible = false;
  bool investigation_required = false;
  AbusePriority priority = AbusePriority::normal;
  std::optional<AbuseStageDone> investigated;
  std::optional<AbuseStageDone> corrective;  // CompleteCorrectiveActions or CloseAbuseReport
  SortedSet<std::uint8_t> breaches_recorded;  // A5: stages whose breach the scheduler appended
  std::optional<Position> forgotten;          // G2
  friend bool operator==(const AbuseReport&, const AbuseReport&) = default;
};


// K4: the documents are kept at most 72 hours after submission.
inline constexpr Micros kDocumentLifetime = 72LL * 3600 * 1'000'000;
// K5: a blocked order is cancelled 10 days (240 h) after the block.
inline constexpr Micros kOrderBlockLifetime = 240LL * 3600 * 1'000'000;

// K2: a document's kind and where its sealed content is (the event at `position`, index `index` of
// its documents): the state keeps references, not the up to 4 MiB of ciphertext.
struct DocumentRef {
  DocumentKind kind = DocumentKind::id_card;
  std::uint32_t index = 0;
  friend bool operator==(const DocumentRef&, const DocumentRef&) = default;
};

struct IdentityCase {
  std::string user;
  IdentityReason reason = IdentityReason::forgotten_password;
  Position opened = 0;
  CaseState state = CaseState::open;      // as recorded (see identity_state for the instant's)
  std::optional<Micros> submitted_at;
  Position documents_position = 0;        // the IdentityDocumentsSubmitted event, 0 when none
  std::vector<DocumentRef> documents;
  std::vector<std::string> key_ids;       // the data keys sealing its documents (G1)
  std::optional<PurgeReason> purged;      // K3 / K4: the documents' key is destroyed
  std::optional<Position> forgotten;      // G2
  friend bool operator==(const IdentityCase&, const IdentityCase&) = default;
};

enum class OrderState : std::uint8_t { blocked, unblocked, cancelled };

struct Order {
  std::string org;
  std::string reason;
  Micros blocked_at = 0;
  Position blocked = 0;
  std::optional<Position> unblocked;
  std::optional<Position> cancellation_recorded;  // K5: the scheduler's OrderCancelled
  friend bool operator==(const Order&, const Order&) = default;
};

struct State {
  Position position = 0;      // the last event folded in
  Micros recorded_at = 0;     // its recorded_at
  IdMap<User> users;
  IdMap<Organization> organizations;
  IdMap<Ticket> tickets;
  IdMap<AbuseReport> reports;
  IdMap<IdentityCase> cases;
  IdMap<Order> orders;
  // C1: every client each partner ever had a relation with (for C4's leaving, C2's departures and
  // C5's query). Beside the organizations, not in them: it comes from the clients' streams, and an
  // organization's own fold (replay/org_fold.h) holds only what its own streams say.
  IdMap<SortedIdSet> partner_clients;
  // G2: the data keys of every subject forgotten or purged, by subject: what must be gone from the
  // vault (a crash between the event and the destruction is finished at the next start).
  IdMap<std::vector<std::string>> shredded;
  // Every stream's version, for expected_version (checked by decide in DOMAIN.md's order).
  IdMap<ledger::StreamVersion> stream_versions;
  friend bool operator==(const State&, const State&) = default;
};

}  // namespace orgledger::projections
