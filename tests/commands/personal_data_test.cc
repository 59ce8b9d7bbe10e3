// G1–G2 and K3–K5 through the real processor, ledger and vault: the key is gone before the answer,
// a destruction on record but not done is finished at the next start, the scheduler purges at
// 72 h and cancels at 240 h.
#include <catch2/catch.hpp>

#include <future>

#include "failing_file_system.h"
#include "manual_clock.h"
#include "orgledger/commands/processor.h"
#include "orgledger/commands/scheduler.h"
#include "orgledger/ledger/verify.h"
#include "orgledger/projections/as_of.h"
#include "orgledger/projections/digest.h"
#include "orgledger/projections/identity_orders.h"
#include "orgledger/vault/vault.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::commands;
using namespace orgledger::testing;

namespace {

struct ErasureDesk {
  TempDir dir;
  ManualClock clock{kSampleInstant};
  ledger::Env* vault_env = nullptr;
  std::unique_ptr<ledger::Ledger> log;
  std::unique_ptr<vault::Vault> keys;
  std::unique_ptr<CommandProcessor> processor;
  std::unique_ptr<Scheduler> scheduler;

  ErasureDesk() { open(); }
  void open() {
    log = ledger::Ledger::open(dir.path(), {.clock = &clock}).value();
    keys = vault::Vault::open({.directory = dir.sub("vault"), .env = vault_env}).value();
    processor = CommandProcessor::start(*log, clock, projections::BusinessCalendar::geneva(), {}, {}, keys.get()).value();
    scheduler = std::make_unique<Scheduler>(*processor, clock);
  }
  void close() {
    scheduler.reset();
    processor.reset();
    keys.reset();
    log.reset();
  }
  Outcome run(std::string actor, Body body) {
    return processor->submit(Command{std::move(actor), "", "", std::nullopt, std::move(body)});
  }
  template <typename Get>
  auto read(Get&& get) {
    return processor->read(std::forward<Get>(get));
  }
};

SubmitIdentityDocuments documents(const std::string& case_id) {
  return SubmitIdentityDocuments{case_id, {IdentityDocumentInput{DocumentKind::passport, PersonalInput("passport-scan")}}};
}

}  // namespace

TEST_CASE("G2 processor: ForgetSubject destroys the subject's key before it is answered") {
  ErasureDesk desk;
  REQUIRE(desk.run("svc:signup", RegisterUser{"dana", "dana@example.ch"}));
  const auto key = desk.read([](const projections::State& s) { return s.users.at("dana").login.sealed->key_id; });
  REQUIRE(desk.keys->has_key(key));
  auto forgotten = desk.run("svc:privacy", ForgetSubject{"user:dana"});
  REQUIRE(forgotten);
  CHECK_FALSE(desk.keys->has_key(key));  // already gone when the answer came
  CHECK(desk.keys->forgotten("user:dana"));
  // Forgetting twice: not_active, recorded (D2), and nothing else happens.
  auto again = desk.run("svc:privacy", ForgetSubject{"user:dana"});
  REQUIRE_FALSE(again);
  CHECK(again.error().rejection->code == Code::not_active);
  auto unknown = desk.run("svc:privacy", ForgetSubject{"user:nobody"});
  REQUIRE_FALSE(unknown);
  CHECK(unknown.error().rejection->code == Code::not_found);
  // After a restart the state still says so, and the key stays gone.
  desk.close();
  desk.open();
  CHECK(desk.read([](const projections::State& s) { return s.users.at("dana").forgotten.has_value(); }));
  CHECK_FALSE(desk.keys->has_key(key));
}

TEST_CASE("G2 processor: forgetting changes no replay digest of an earlier position, and the chain verifies") {
  ErasureDesk desk;
  REQUIRE(desk.run("svc:signup", RegisterUser{"dana", "dana@example.ch"}));
  REQUIRE(desk.run("svc:abuse-desk", FileAbuseReport{.report = "r1", .received_at = desk.clock.now(), .category = "spam",
                                                     .reporter = {.anonymous = false, .email = "ida@example.org"}}));
  const auto before = desk.log->head().position;
  auto digests_at = [&](ledger::Position position) {
    auto folded = projections::fold_as_of(*desk.log, projections::AsOf{projections::AsOf::Kind::position,
                                                                        static_cast<std::int64_t>(position)},
                                          desk.clock.now());
    REQUIRE(folded);
    std::vector<ledger::Hash> out;
    for (const auto& digest : projections::projection_digests(folded->state)) out.push_back(digest.digest);
    return out;
  };
  const auto earlier = digests_at(before);
  REQUIRE(desk.run("svc:privacy", ForgetSubject{"user:dana"}));
  REQUIRE(desk.run("svc:privacy", ForgetSubject{"abuse:r1"}));
  CHECK(digests_at(before) == earlier);
  CHECK(digests_at(desk.log->head().position) != earlier);  // the forgets themselves are state
  desk.close();
  auto report = ledger::verify_ledger(desk.dir.path());
  REQUIRE(report);
  CHECK(report->ok);
}

TEST_CASE("G2 processor: a destruction on record that the vault could not do is finished at the next start") {
  FailingWalFileSystem failing_fs;
  ledger::EnvWith env({.file_system = std::shared_ptr<rocksdb::FileSystem>(&failing_fs, [](rocksdb::FileSystem*) {})});
  ErasureDesk desk;
  desk.close();
  desk.vault_env = &env;
  desk.open();
  REQUIRE(desk.run("svc:signup", RegisterUser{"dana", "dana@example.ch"}));
  const auto key = desk.read([](const projections::State& s) { return s.users.at("dana").login.sealed->key_id; });
  failing_fs.failing = true;  // the key store's disk fails: the event is durable, the key is not destroyed
  auto forgotten = desk.run("svc:privacy", ForgetSubject{"user:dana"});
  REQUIRE_FALSE(forgotten);
  REQUIRE(forgotten.error().ledger);
  CHECK(desk.keys->forgotten("user:dana"));  // reads as forgotten already
  CHECK(desk.log->read(desk.log->head().position, 1).value().front().type_name() == "SubjectForgotten");
  // Fail-stop: nothing more is taken until a restart finishes the destruction.
  failing_fs.failing = false;
  auto next = desk.run("svc:signup", RegisterUser{"erin", "erin@example.ch"});
  REQUIRE_FALSE(next);
  REQUIRE(next.error().ledger);
  CHECK(next.error().ledger->code == ledger::ErrorCode::stopped);
  desk.close();
  failing_fs.failing = false;
  desk.vault_env = nullptr;
  desk.open();  // start finishes what the log says was destroyed
  CHECK_FALSE(desk.keys->has_key(key));
  CHECK(desk.keys->forgotten("user:dana"));
}

TEST_CASE("G1 processor: the keys of a refused or repeated command are deleted - a refusal before the rules seals nothing") {
  ErasureDesk desk;
  REQUIRE(desk.run("svc:signup", RegisterUser{"dana", "dana@example.ch"}));
  const auto before = desk.keys->key_count();
  // Refused by a rule (already_exists): its key sealed nothing that was kept.
  auto again = desk.run("svc:signup", RegisterUser{"dana", "dana@other.ch"});
  REQUIRE_FALSE(again);
  CHECK(again.error().rejection->code == Code::already_exists);
  CHECK(desk.keys->key_count() == before - 1);  // the pool gave one key, which is gone again
  // A repeat of an accepted command id: the first answer, and the repeat's key is deleted.
  Command first{"svc:signup", "reg-erin", "", std::nullopt, RegisterUser{"erin", "erin@example.ch"}};
  REQUIRE(desk.processor->submit(first));
  const auto after_first = desk.keys->key_count();
  auto repeat = desk.processor->submit(first);
  REQUIRE(repeat);
  CHECK(repeat->duplicate);
  CHECK(desk.keys->key_count() == after_first - 1);
  // D2: a command refused before any rule (a token without write) is not sealed at all.
  std::promise<Outcome> refused;
  desk.processor->submit_refused(Command{"svc:signup", "", "", std::nullopt, RegisterUser{"fay", "fay@example.ch"}},
                                 reject(Code::forbidden, "D2", "no write scope"),
                                 [&](Outcome outcome) { refused.set_value(std::move(outcome)); });
  const auto count = desk.keys->key_count();
  REQUIRE_FALSE(refused.get_future().get());
  CHECK(desk.keys->key_count() == count);
}

TEST_CASE("K3 processor: completing a case destroys its documents' key in the same answer") {
  ErasureDesk desk;
  REQUIRE(desk.run("svc:signup", RegisterUser{"carol", "carol@example.ch"}));
  REQUIRE(desk.run("svc:kcheck", OpenIdentityVerification{"k1", "carol", IdentityReason::forgotten_password}));
  REQUIRE(desk.run("carol", documents("k1")));
  const auto keys = desk.read([](const projections::State& s) { return s.cases.at("k1").key_ids; });
  REQUIRE(keys.size() == 1);
  REQUIRE(desk.keys->has_key(keys.front()));
  REQUIRE(desk.run("agent:zoe", CompleteIdentityVerification{"k1", VerificationOutcome::verified}));
  CHECK_FALSE(desk.keys->has_key(keys.front()));
  CHECK(desk.keys->forgotten("kcheck:k1"));
  // The user's own login is another subject: untouched.
  const auto login_key = desk.read([](const projections::State& s) { return s.users.at("carol").login.sealed->key_id; });
  CHECK(desk.keys->has_key(login_key));
}

TEST_CASE("K4 scheduler: at submitted_at + 72 h exactly, the documents are purged and their key destroyed, once") {
  ErasureDesk desk;
  REQUIRE(desk.run("svc:signup", RegisterUser{"carol", "carol@example.ch"}));
  REQUIRE(desk.run("svc:kcheck", OpenIdentityVerification{"k1", "carol", IdentityReason::first_payout}));
  const auto submitted_at = desk.clock.now();
  REQUIRE(desk.run("carol", documents("k1")));
  const auto key = desk.read([](const projections::State& s) { return s.cases.at("k1").key_ids.front(); });
  CHECK(desk.scheduler->next_due(submitted_at) == submitted_at + 72 * kHour);
  desk.clock.set(submitted_at + 72 * kHour - 1);
  CHECK(desk.scheduler->run_once() == 0);
  CHECK(desk.keys->has_key(key));
  desk.clock.set(submitted_at + 72 * kHour);
  CHECK(desk.scheduler->run_once() == 1);
  CHECK_FALSE(desk.keys->has_key(key));
  const auto last = desk.log->read(desk.log->head().position, 1).value().front();
  CHECK(last.type_name() == "IdentityDocumentsPurged");
  CHECK(last.actor() == "svc:scheduler");
  CHECK(desk.scheduler->run_once() == 0);
  desk.close();
  desk.open();
  CHECK(desk.scheduler->run_once() == 0);  // across a restart too
}

TEST_CASE("K5 scheduler: at blocked_at + 240 h exactly, an order still blocked is cancelled with a full refund") {
  ErasureDesk desk;
  REQUIRE(desk.run("svc:signup", RegisterUser{"carol", "carol@example.ch"}));
  REQUIRE(desk.run("carol", CreateOrganization{"acme", "Acme"}));
  const auto blocked_at = desk.clock.now();
  REQUIRE(desk.run("svc:billing", BlockOrder{"o1", "acme", "payment review"}));
  REQUIRE(desk.run("svc:billing", BlockOrder{"o2", "acme", "payment review"}));
  REQUIRE(desk.run("agent:zoe", UnblockOrder{"o2"}));
  desk.clock.set(blocked_at + 240 * kHour - 1);
  CHECK(desk.scheduler->run_once() == 0);
  desk.clock.set(blocked_at + 240 * kHour);
  CHECK(desk.scheduler->run_once() == 1);  // o1 only: o2 was unblocked
  const auto last = desk.log->read(desk.log->head().position, 1).value().front();
  CHECK(last.type_name() == "OrderCancelled");
  CHECK(last.stream() == "order:o1");
  CHECK(desk.scheduler->run_once() == 0);
}
