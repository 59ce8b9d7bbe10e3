// Property test (seeded; ORGLEDGER_SEED replays): random histories of users, abuse reports and
// identity cases carrying personal data, with random forgets (twice and unknown ones included).
// Then: a replay of the log equals the live state, the chain verifies, no forgotten plaintext can
// be read through any view (events, users, reports, cases — revealed to every scope), what is not
// forgotten still reads in clear (so the check could fail), and no plaintext is in any file.
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>

#include <nlohmann/json.hpp>

#include "manual_clock.h"
#include "orgledger/api/answer_json.h"
#include "orgledger/api/base64.h"
#include "orgledger/api/event_json.h"
#include "orgledger/commands/processor.h"
#include "orgledger/ledger/verify.h"
#include "orgledger/projections/as_of.h"
#include "orgledger/projections/digest.h"
#include "orgledger/projections/event_stream.h"
#include "orgledger/vault/vault.h"
#include "seed.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::commands;
using namespace orgledger::testing;

namespace {

constexpr int kSteps = 300;

std::string marker(std::uint64_t seed, const std::string& subject) {
  return "pii-" + std::to_string(seed % 100000) + "-" + subject + "~";  // ~: u1 is no prefix of u10
}

std::string file_bytes(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), {});
}

}  // namespace

TEST_CASE("G1-G2 property: random histories with random forgets - replay equals live, verify passes, nothing forgotten readable") {
  const auto seed = test_seed("personal data property");
  std::mt19937_64 random(seed);
  TempDir dir;
  ManualClock clock(kSampleInstant);
  auto log = ledger::Ledger::open(dir.path(), {.clock = &clock}).value();
  auto keys = vault::Vault::open({.directory = dir.sub("vault")}).value();
  auto processor = CommandProcessor::start(*log, clock, projections::BusinessCalendar::geneva(), {}, {}, keys.get()).value();
  auto run = [&](std::string actor, Body body) {
    clock.advance(1'000'000);
    return processor->submit(Command{std::move(actor), "", "", std::nullopt, std::move(body)});
  };

  std::set<std::string> subjects;   // every subject with personal data in clear once
  std::set<std::string> forgotten;  // those forgotten
  std::vector<std::string> users, cases, reports;
  for (int step = 0; step < kSteps; ++step) {
    switch (random() % 6) {
      case 0:
      case 1: {
        const std::string user = "u" + std::to_string(users.size());
        REQUIRE(run("svc:signup", RegisterUser{user, marker(seed, "user:" + user) + "@example.ch"}));
        users.push_back(user);
        subjects.insert("user:" + user);
        break;
      }
      case 2: {
        const std::string report = "r" + std::to_string(reports.size());
        projections::Reporter reporter{.anonymous = random() % 4 == 0};
        if (!reporter.anonymous) reporter.email = marker(seed, "abuse:" + report);
        REQUIRE(run("svc:abuse-desk", FileAbuseReport{.report = report, .received_at = clock.now(), .category = "spam",
                                                       .reporter = reporter}));
        reports.push_back(report);
        if (!reporter.anonymous) subjects.insert("abuse:" + report);
        break;
      }
      case 3: {
        if (users.empty()) break;
        const std::string case_id = "k" + std::to_string(cases.size());
        const auto& user = users[random() % users.size()];
        REQUIRE(run("svc:kcheck", OpenIdentityVerification{case_id, user, IdentityReason::account_unlock}));
        cases.push_back(case_id);
        if (random() % 3 != 0) {
          // The user may have been forgotten: the case is a subject of its own (G2).
          REQUIRE(run("svc:kcheck", SubmitIdentityDocuments{case_id, {{DocumentKind::id_card,
                                                                        PersonalInput(marker(seed, "kcheck:" + case_id))}}}));
          subjects.insert("kcheck:" + case_id);
        }
        break;
      }
      default: {
        // Forget a known subject (perhaps again), or an unknown one.
        std::vector<std::string> known;
        for (const auto& u : users) known.push_back("user:" + u);
        for (const auto& r : reports) known.push_back("abuse:" + r);
        for (const auto& c : cases) known.push_back("kcheck:" + c);
        if (known.empty() || random() % 8 == 0) {
          auto unknown = run("svc:privacy", ForgetSubject{"user:nobody-" + std::to_string(step)});
          REQUIRE_FALSE(unknown);
          CHECK(unknown.error().rejection->code == Code::not_found);
          break;
        }
        const auto& subject = known[random() % known.size()];
        auto outcome = run("svc:privacy", ForgetSubject{subject});
        if (forgotten.contains(subject)) {
          REQUIRE_FALSE(outcome);
          CHECK(outcome.error().rejection->code == Code::not_active);
        } else {
          REQUIRE(outcome);
          forgotten.insert(subject);
        }
      }
    }
  }
  INFO(subjects.size() << " subjects with personal data, " << forgotten.size() << " forgotten");

  // Replay equals the live state.
  auto live = processor->read([](const projections::State& s) { return projections::projection_digests(s); });
  auto replayed = projections::fold_as_of(*log, std::nullopt, clock.now()).value();
  for (std::size_t i = 0; i < live.size(); ++i) CHECK(projections::projection_digests(replayed.state)[i].digest == live[i].digest);

  // Every view, revealed as far as any scope may: forgotten markers never, others always.
  const auto view = api::PersonalView::revealed(keys.get(), clock.now());
  std::string shown;
  REQUIRE(projections::for_each_event(*log, 1, log->head().position, [&](const ledger::RecordedEvent& event) {
    shown += api::event_to_json(event, view).dump() + "\n";
    return true;
  }));
  processor->read([&](const projections::State& state) {
    for (const auto& [id, user] : state.users) shown += api::user_json(id, user, state, view, state.position).dump();
    for (const auto& [id, report] : state.reports) {
      shown += api::abuse_report_json(id, report, projections::abuse_sla(report, projections::BusinessCalendar::geneva(), clock.now()), view).dump();
    }
    return 0;
  });
  for (const auto& subject : subjects) {
    INFO(subject);
    // Documents show as base64 (K2), logins and contact details as text.
    const auto text = subject.starts_with("kcheck:") ? api::base64(marker(seed, subject)) : marker(seed, subject);
    CHECK((shown.find(text) == std::string::npos) == forgotten.contains(subject));
  }

  // Nothing in clear in any file of the data directory, forgotten or not (G1).
  processor.reset();
  keys.reset();
  log.reset();
  for (const auto& entry : std::filesystem::recursive_directory_iterator(dir.path())) {
    if (!entry.is_regular_file()) continue;
    const auto bytes = file_bytes(entry.path());
    INFO(entry.path());
    CHECK(bytes.find("pii-" + std::to_string(seed % 100000) + "-") == std::string::npos);
  }
  // The chain still verifies.
  auto report = ledger::verify_ledger(dir.path());
  REQUIRE(report);
  CHECK(report->ok);
}
