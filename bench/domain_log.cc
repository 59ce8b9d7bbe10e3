#include "domain_log.h"

#include <algorithm>
#include <array>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bench_support.h"
#include "domain_random.h"
#include "domain_state.h"
#include "in_flight.h"
#include "orgledger/ledger/event_codec.h"

namespace orgledger::bench {
namespace {

// The log this generator writes stands for a store of the build before G1 (logins in clear, G4):
// it measures folds and reads, which see ciphertext and clear text alike.
schema::UserRegisteredT pre_g1_user(std::string user, std::string login) {
  schema::UserRegisteredT event;
  event.user = std::move(user);
  event.login = std::move(login);
  return event;
}

// Registrations and ticket assignments are batched this many per command.
constexpr std::size_t kEventsPerBatch = 1000;
// Enough commands queued that the writer always finds a full group (as ledger_bench's fill).
constexpr std::size_t kInFlight = 64;
// Members per organization (legal representative included), products and teams: uniform in these
// ranges, so on average 10, 5 and 2 (issue 3).
constexpr std::size_t kMinMembers = 5, kMaxMembers = 15;
constexpr std::size_t kMinProducts = 3, kMaxProducts = 7;
constexpr std::size_t kMinTeams = 1, kMaxTeams = 3;
constexpr double kExternalShare = 0.2;       // of the members after the legal rep. and the administrator
constexpr double kProductOnAddShare = 0.3;   // AddMember with a product (R7)
constexpr std::size_t kMaxDirectGrants = 4;  // ProductAccessGranted per organization: 0..4
constexpr std::size_t kGrantsPerAgent = 40;  // support agents hold this many tickets each
constexpr std::array<std::string_view, 4> kKinds{"mail_service", "kdrive", "kchat", "web_hosting"};

std::string user_id(std::size_t n) { return "u" + std::to_string(n); }
std::string org_id(std::size_t n) { return "o" + std::to_string(n); }
std::string ticket_id(std::size_t n) { return "tk" + std::to_string(n); }

ledger::CommandAppend new_command(std::string id, std::string actor) {
  return ledger::CommandAppend{.command_id = std::move(id),
                               .actor = std::move(actor),
                               .correlation_id = {},
                               .expected = std::nullopt,
                               .events = {}};
}

// `count` distinct values below `n` (count <= n), in random order.
std::vector<std::size_t> distinct(Random& random, std::size_t count, std::size_t n) {
  std::vector<std::size_t> out;
  while (out.size() < count) {
    const std::size_t candidate = random.below(n);
    if (std::ranges::find(out, candidate) == out.end()) out.push_back(candidate);
  }
  return out;
}

// One organization's whole history as one command of its creator, the legal representative.
class OrganizationWriter {
 public:
  OrganizationWriter(std::size_t index, Random& random, const LogShape& shape, LogStats& stats)
      : org_(org_id(index)), stream_("org:" + org_), index_(index), random_(random), shape_(shape), stats_(stats) {}

  ledger::CommandAppend write(std::optional<std::size_t> support_grant) {
    people_ = distinct(random_, random_.between(kMinMembers, kMaxMembers), shape_.users);
    command_ = new_command("log-org-" + org_, user_id(people_[0]));
    created();
    register_products();
    add_members();
    create_teams();
    grant_products();
    if (support_grant) grant_support(*support_grant);
    ++stats_.orgs;
    return std::move(command_);
  }

 private:
  template <typename Table>
  void add(Table table) {
    ledger::add_event(command_, stream_, std::move(table));
  }

  // O1: OrganizationCreated and the creator as legal representative.
  void created() {
    add(schema::OrganizationCreatedT{.org = org_, .name = "Organization " + std::to_string(index_)});
    add(schema::MemberAddedT{.org = org_, .user = user_id(people_[0]), .role = schema::Role::legal_representative});
    ++stats_.members;
  }

  // P1. The first product is a mailbox service, so that every organization can grant mail support.
  void register_products() {
    const std::size_t count = random_.between(kMinProducts, kMaxProducts);
    for (std::size_t j = 0; j < count; ++j) {
      const std::string_view kind = j == 0 ? kKinds[0] : kKinds[random_.below(kKinds.size())];
      products_.push_back(org_ + "-p" + std::to_string(j));
      kinds_.push_back(kind);
      schema::ProductRegisteredT registered;  // not an aggregate (expires_at is a unique_ptr)
      registered.org = org_;
      registered.product = products_.back();
      registered.kind = std::string(kind);
      registered.name = std::string(kind) + " " + std::to_string(j);
      add(std::move(registered));
    }
    stats_.products += count;
  }

  // R7: one administrator, then collaborators and some externals, some with a product already.
  void add_members() {
    direct_.assign(people_.size(), {});
    for (std::size_t i = 1; i < people_.size(); ++i) {
      schema::MemberAddedT added{.org = org_, .user = user_id(people_[i])};
      if (i == 1) {
        added.role = schema::Role::administrator;
        ++stats_.administrators;
      } else {
        const bool external = random_.chance(kExternalShare);
        added.role = external ? schema::Role::external : schema::Role::collaborator;
        ++(external ? stats_.externals : stats_.collaborators);
        plain_.push_back(i);
        if (random_.chance(kProductOnAddShare)) {
          const std::size_t product = random_.below(products_.size());
          added.products = {products_[product]};
          direct_[i].insert(product);
          ++stats_.members_with_products;
        }
      }
      add(std::move(added));
      ++stats_.members;
    }
  }

  // T1–T3: teams of 2–5 collaborators and externals, each granted one or two products.
  void create_teams() {
    const std::size_t count = random_.between(kMinTeams, kMaxTeams);
    for (std::size_t j = 0; j < count; ++j) {
      const std::string team = org_ + "-t" + std::to_string(j);
      add(schema::TeamCreatedT{.org = org_, .team = team, .name = "Team " + std::to_string(j)});
      ++stats_.teams;
      if (!plain_.empty()) {
        schema::TeamMembersAddedT members{.org = org_, .team = team};
        for (std::size_t pick : distinct(random_, std::min(plain_.size(), random_.between(2, 5)), plain_.size())) {
          members.users.push_back(user_id(people_[plain_[pick]]));
        }
        stats_.team_memberships += members.users.size();
        ++stats_.team_member_events;
        add(std::move(members));
      }
      for (std::size_t product : distinct(random_, random_.between(1, 2), products_.size())) {
        add(schema::TeamProductAccessGrantedT{.org = org_, .team = team, .product = products_[product]});
        ++stats_.team_product_grants;
      }
    }
  }

  // P2: direct grants to collaborators and externals who do not have that product yet.
  void grant_products() {
    const std::size_t count = random_.between(0, kMaxDirectGrants);
    for (std::size_t g = 0; g < count && !plain_.empty(); ++g) {
      const std::size_t member = plain_[random_.below(plain_.size())];
      const std::size_t product = random_.below(products_.size());
      if (!direct_[member].insert(product).second) continue;
      add(schema::ProductAccessGrantedT{.org = org_, .user = user_id(people_[member]), .product = products_[product]});
      ++stats_.product_access_grants;
    }
  }

  // S1 by the legal representative (who reaches every product): the whole scope, one product, or
  // a folder in it; the ticket is assigned later, by the support desk.
  void grant_support(std::size_t grant) {
    std::vector<std::size_t> supported;
    for (std::size_t j = 0; j < products_.size(); ++j) {
      if (scope_for_kind(kinds_[j])) supported.push_back(j);
    }
    const std::size_t product = supported[random_.below(supported.size())];  // the mail product at least
    schema::SupportAccessGrantedT granted{.org = org_,
                                          .grant = "g" + std::to_string(grant),
                                          .scope = static_cast<schema::SupportScope>(*scope_for_kind(kinds_[product])),
                                          .ticket = ticket_id(grant)};
    switch (random_.below(3)) {
      case 0:
        break;  // every resource of the scope
      case 1:
        granted.resource = products_[product];
        break;
      default:
        granted.resource = products_[product] + "/folder-" + std::to_string(random_.below(100));
        break;
    }
    add(std::move(granted));
    ++stats_.support_grants;
  }

  const std::string org_;
  const std::string stream_;
  const std::size_t index_;
  Random& random_;
  const LogShape& shape_;
  LogStats& stats_;
  ledger::CommandAppend command_;
  std::vector<std::size_t> people_;            // user numbers; [0] is the legal representative, [1] the administrator
  std::vector<std::size_t> plain_;             // indexes into people_ of collaborators and externals
  std::vector<std::set<std::size_t>> direct_;  // per person, the products granted directly (P2)
  std::vector<std::string> products_;
  std::vector<std::string_view> kinds_;
};

// U1 by the sign-up service, kEventsPerBatch users per command.
void register_users(BoundedAppender& appender, const LogShape& shape, LogStats& stats) {
  for (std::size_t first = 0; first < shape.users; first += kEventsPerBatch) {
    auto command = new_command("log-users-" + std::to_string(first), "svc:signup");
    for (std::size_t n = first; n < std::min(shape.users, first + kEventsPerBatch); ++n) {
      const std::string user = user_id(n);
      ledger::add_event(command, "user:" + user, pre_g1_user(user, user + "@example.com"));
      ++stats.users;
    }
    stats.events += command.events.size();
    ++stats.commands;
    appender.append(std::move(command));
  }
}

// The support grants go to evenly spread organizations, exactly shape.support_grants of them.
void create_organizations(BoundedAppender& appender, Random& random, const LogShape& shape, LogStats& stats) {
  std::size_t grants = 0;
  for (std::size_t index = 0; index < shape.orgs; ++index) {
    std::optional<std::size_t> grant;
    if ((index + 1) * shape.support_grants / shape.orgs > grants) grant = grants++;
    auto command = OrganizationWriter(index, random, shape, stats).write(grant);
    stats.events += command.events.size();
    ++stats.commands;
    appender.append(std::move(command));
  }
}

// S4 by the support desk: each grant's ticket to one of the agents.
void assign_tickets(BoundedAppender& appender, Random& random, const LogShape& shape, LogStats& stats) {
  const std::size_t agents = std::max<std::size_t>(1, shape.support_grants / kGrantsPerAgent);
  for (std::size_t first = 0; first < shape.support_grants; first += kEventsPerBatch) {
    auto command = new_command("log-tickets-" + std::to_string(first), "svc:support-desk");
    for (std::size_t n = first; n < std::min(shape.support_grants, first + kEventsPerBatch); ++n) {
      ledger::add_event(command, "ticket:" + ticket_id(n),
                        schema::SupportTicketAssignedT{.ticket = ticket_id(n),
                                                       .agent = "agent:a" + std::to_string(random.below(agents))});
      ++stats.tickets_assigned;
    }
    stats.events += command.events.size();
    ++stats.commands;
    appender.append(std::move(command));
  }
}

}  // namespace

LogStats write_log(ledger::Ledger& ledger, const LogShape& shape) {
  LogStats stats;
  Random random(shape.seed);
  BoundedAppender appender(ledger, kInFlight);
  const Stopwatch elapsed;
  // One submitting thread: the writer takes the commands in this order, so every user is
  // registered before an organization names them, and every ticket exists before it is assigned.
  register_users(appender, shape, stats);
  create_organizations(appender, random, shape, stats);
  assign_tickets(appender, random, shape, stats);
  appender.drain("writing the log");
  stats.seconds = elapsed.seconds();
  return stats;
}

}  // namespace orgledger::bench
