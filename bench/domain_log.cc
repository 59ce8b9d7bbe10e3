#include "domain_log.h"

#include <algorithm>
#include <array>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "bench_clock.h"
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
constexpr std::array<std::string_view, 4> kProductKinds{"mail_service", "kdrive", "kchat", "web_hosting"};

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
      const std::string_view kind = j == 0 ? kProductKinds[0] : kProductKinds[random_.below(kProductKinds.size())];
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

// A1–A6 by the abuse desk: reports filed evenly among the organizations' commands, each later
// stage a command of its own 1–40 organizations after the one before, so that a report's events
// are spread over the log as a desk's are. Every report is acknowledged and assessed; a third
// need an investigation; the corrective actions are recorded, then the report is closed.
class AbuseDesk {
 public:
  AbuseDesk(Random& random, const LogShape& shape, LogStats& stats) : random_(random), shape_(shape), stats_(stats) {}

  // After organization `index`: the reports due by then are filed, and the stages due are written.
  void after_organization(std::size_t index, BoundedAppender& appender) {
    while ((index + 1) * shape_.abuse_reports / shape_.orgs > filed_) file(index, appender);
    write_due(index, appender);
  }
  // The stages left after the last organization.
  void finish(BoundedAppender& appender) { write_due(std::numeric_limits<std::size_t>::max() - 64, appender); }

 private:
  enum Stage { acknowledge, assess, investigate, correct, close };

  void file(std::size_t index, BoundedAppender& appender) {
    const std::size_t report = filed_++;
    schema::AbuseReportFiledT filed;
    filed.report = report_id(report);
    filed.received_at = std::make_unique<schema::Instant>(kLogInstant);
    filed.category = random_.chance(0.5) ? "spam" : random_.chance(0.5) ? "phishing" : "malware";
    filed.reporter = std::make_unique<schema::ReporterT>();
    filed.reporter->anonymous = true;  // A6: no contact details to seal (G1)
    filed.target = "o" + std::to_string(random_.below(shape_.orgs));
    append(report, "filed", std::move(filed), appender);
    ++stats_.abuse_reports;
    schedule(index, report, acknowledge);
  }

  void write_due(std::size_t index, BoundedAppender& appender) {
    while (!due_.empty() && due_.begin()->first <= index) {
      const auto [report, stage] = due_.begin()->second;
      due_.erase(due_.begin());
      write_stage(due_index(index), report, stage, appender);
    }
  }
  // After the last organization, the next stage follows at once.
  std::size_t due_index(std::size_t index) const { return std::min(index, shape_.orgs); }

  void write_stage(std::size_t index, std::size_t report, Stage stage, BoundedAppender& appender) {
    const std::string id = report_id(report);
    switch (stage) {
      case acknowledge:
        append(report, "ack", schema::AbuseReportAcknowledgedT{.report = id}, appender);
        return schedule(index, report, assess);
      case assess: {
        const bool investigation = random_.chance(1.0 / 3);
        append(report, "assess",
               schema::AbuseReportAssessedT{.report = id, .admissible = true, .priority = schema::AbusePriority::normal,
                                            .investigation_required = investigation},
               appender);
        return schedule(index, report, investigation ? investigate : correct);
      }
      case investigate:
        append(report, "investigate", schema::AbuseInvestigationCompletedT{.report = id, .findings = "confirmed"}, appender);
        return schedule(index, report, correct);
      case correct:
        append(report, "correct", schema::CorrectiveActionsCompletedT{.report = id, .actions = "suspended"}, appender);
        return schedule(index, report, close);
      case close:
        append(report, "close", schema::AbuseReportClosedT{.report = id, .reason = "handled"}, appender);
        return;
    }
  }

  void schedule(std::size_t index, std::size_t report, Stage stage) {
    due_.emplace(index + random_.between(1, 40), std::pair{report, stage});
  }

  template <typename Table>
  void append(std::size_t report, std::string_view stage, Table table, BoundedAppender& appender) {
    auto command = new_command("log-abuse-" + std::to_string(report) + "-" + std::string(stage), "svc:abuse-desk");
    ledger::add_event(command, "abuse:" + report_id(report), std::move(table));
    ++stats_.events;
    ++stats_.abuse_events;
    ++stats_.commands;
    appender.append(std::move(command));
  }

  static std::string report_id(std::size_t n) { return "ar" + std::to_string(n); }

  Random& random_;
  const LogShape& shape_;
  LogStats& stats_;
  std::size_t filed_ = 0;
  std::multimap<std::size_t, std::pair<std::size_t, Stage>> due_;  // by the organization index it follows
};

// The support grants go to evenly spread organizations, exactly shape.support_grants of them.
void create_organizations(BoundedAppender& appender, Random& random, const LogShape& shape, LogStats& stats) {
  std::size_t grants = 0;
  AbuseDesk desk(random, shape, stats);
  for (std::size_t index = 0; index < shape.orgs; ++index) {
    std::optional<std::size_t> grant;
    if ((index + 1) * shape.support_grants / shape.orgs > grants) grant = grants++;
    auto command = OrganizationWriter(index, random, shape, stats).write(grant);
    stats.events += command.events.size();
    ++stats.commands;
    appender.append(std::move(command));
    desk.after_organization(index, appender);
  }
  desk.finish(appender);
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
