// Issue 18, the ledger's side of a replicated log (replication.h): a writer publishes each group
// through its replicator before its own write; a replica appends the groups byte for byte after
// checking their chain; a refused publish fail-stops the writer with nothing written; a ledger
// opened as part of a replicated log takes no command of its own without a replicator.
#include <catch2/catch.hpp>

#include <future>
#include <mutex>
#include <thread>

#include "commands.h"
#include "orgledger/ledger/ledger.h"
#include "orgledger/ledger/replication.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

// The replicated log as the test keeps it: every message, in order; refuses when told.
class CapturingReplicator final : public ledger::GroupReplicator {
 public:
  std::expected<std::uint64_t, ledger::Error> replicate(std::string_view message, ledger::Position first) override {
    std::lock_guard lock(mutex_);
    if (refuse_) return std::unexpected(ledger::Error{*refuse_, "refused by the test"});
    messages_.emplace_back(message);
    firsts_.push_back(first);
    return messages_.size();
  }
  void refuse_with(ledger::ErrorCode code) {
    std::lock_guard lock(mutex_);
    refuse_ = code;
  }
  std::vector<std::string> messages() const {
    std::lock_guard lock(mutex_);
    return messages_;
  }
  std::vector<ledger::Position> firsts() const {
    std::lock_guard lock(mutex_);
    return firsts_;
  }

 private:
  mutable std::mutex mutex_;
  std::vector<std::string> messages_;
  std::vector<ledger::Position> firsts_;
  std::optional<ledger::ErrorCode> refuse_;
};

std::vector<std::string> stored_events(const ledger::Ledger& log) {
  const auto events = log.read(1, 1'000'000).value();  // kept: a range-for over .value() of a temporary dangles
  std::vector<std::string> out;
  for (const auto& event : events) out.push_back(event.stored());
  return out;
}

}  // namespace

TEST_CASE("replication: a replica appends the writer's groups byte for byte: same chain, tree, answers and sequence") {
  TempDir writer_dir, replica_dir;
  CapturingReplicator replicator;
  auto writer = ledger::Ledger::open(writer_dir.path(), {.replicated = true}).value();
  writer->set_replicator(&replicator);
  // Commands from several threads, so that groups hold several commands.
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&writer, t] {
      for (int i = 0; i < 50; ++i) {
        auto cmd = member_added("c" + std::to_string(t) + "-" + std::to_string(i), "org:" + std::to_string(i % 7), "u");
        ledger::add_event(cmd, "team:" + std::to_string(t), schema::MemberAddedT{.org = "a", .user = "u"});
        (void)writer->append(std::move(cmd));
      }
    });
  }
  for (auto& thread : threads) thread.join();
  REQUIRE(writer->head().position == 400);
  const auto messages = replicator.messages();
  CHECK(writer->replication_sequence() == messages.size());
  CHECK(replicator.firsts().front() == 1);

  auto replica = ledger::Ledger::open(replica_dir.path(), {.replicated = true}).value();
  for (std::size_t i = 0; i < messages.size(); ++i) {
    const auto header = ledger::replicated_group_header(messages[i]).value();
    CHECK(header.follows == replica->head().position);
    auto head = replica->append_replicated(messages[i], i + 1);
    REQUIRE(head);
    CHECK(head->position == header.last);
  }
  CHECK(replica->head().position == writer->head().position);
  CHECK(replica->head().hash == writer->head().hash);
  {
    const auto on_replica = stored_events(*replica);
    const auto on_writer = stored_events(*writer);
    REQUIRE(on_replica.size() == on_writer.size());
    for (std::size_t i = 0; i < on_replica.size(); ++i) {
      INFO("position " << i + 1);
      REQUIRE(on_replica[i].size() == on_writer[i].size());
      REQUIRE(on_replica[i] == on_writer[i]);
    }
  }
  CHECK(replica->tree_root(400).value() == writer->tree_root(400).value());
  CHECK(replica->stream_version("org:3").value() == writer->stream_version("org:3").value());
  // A repeated command id gets the writer's first answer on the replica too.
  const auto on_writer = writer->find_command("c2-17").value().value();
  const auto on_replica = replica->find_command("c2-17").value().value();
  CHECK(on_replica.position == on_writer.position);
  CHECK(on_replica.stream_version == on_writer.stream_version);
  CHECK(on_replica.events.size() == 2);
  // The header names the last event's chain hash, which is the head's once appended.
  CHECK(ledger::replicated_group_header(messages.back()).value().last_hash == replica->head().hash);
  // The sequence is kept with the store: a restarted replica resumes after it.
  const auto sequence = replica->replication_sequence();
  CHECK(sequence == messages.size());
  replica.reset();
  replica = ledger::Ledger::open(replica_dir.path(), {.replicated = true}).value();
  CHECK(replica->replication_sequence() == sequence);
  // Opened by anything else (`submit`, `token create`, `serve` without --cluster), a store that
  // holds the log's groups still takes no command of its own: it would fork from the log.
  replica.reset();
  replica = ledger::Ledger::open(replica_dir.path()).value();
  auto local = replica->append(member_added("local", "org:a", "u"));
  REQUIRE_FALSE(local);
  CHECK(local.error().code == ledger::ErrorCode::invalid_argument);
  CHECK(replica->head().position == 400);
}

TEST_CASE("replication: groups handed over back to back (append_replicated_async) are written together, in order, whole") {
  TempDir writer_dir, replica_dir;
  CapturingReplicator replicator;
  auto writer = ledger::Ledger::open(writer_dir.path(), {.replicated = true}).value();
  writer->set_replicator(&replicator);
  for (int i = 0; i < 300; ++i) REQUIRE(writer->append(member_added("a" + std::to_string(i), "org:" + std::to_string(i % 5), "u")));
  const auto messages = replicator.messages();
  auto replica = ledger::Ledger::open(replica_dir.path(), {.replicated = true}).value();
  std::vector<std::promise<std::expected<ledger::CommandAnswer, ledger::Error>>> answers(messages.size());
  for (std::size_t i = 0; i < messages.size(); ++i) {
    replica->append_replicated_async(messages[i], i + 1, [&answers, i](auto answer) { answers[i].set_value(std::move(answer)); });
  }
  ledger::Position last = 0;
  for (auto& answer : answers) {
    auto outcome = answer.get_future().get();
    REQUIRE(outcome);
    CHECK(outcome->position > last);
    last = outcome->position;
  }
  CHECK(last == 300);
  CHECK(replica->head().hash == writer->head().hash);
  CHECK(replica->replication_sequence() == messages.size());
  CHECK(stored_events(*replica) == stored_events(*writer));
}

TEST_CASE("replication: a group that does not follow the head is version_conflict, a broken one invalid_argument, and neither writes") {
  TempDir writer_dir, replica_dir;
  CapturingReplicator replicator;
  auto writer = ledger::Ledger::open(writer_dir.path(), {.replicated = true}).value();
  writer->set_replicator(&replicator);
  for (int i = 0; i < 3; ++i) REQUIRE(writer->append(member_added("m" + std::to_string(i), "org:a", "u")));
  const auto messages = replicator.messages();
  REQUIRE(messages.size() == 3);
  auto replica = ledger::Ledger::open(replica_dir.path(), {.replicated = true}).value();

  SECTION("a gap") {
    auto skipped = replica->append_replicated(messages[1], 2);
    REQUIRE_FALSE(skipped);
    CHECK(skipped.error().code == ledger::ErrorCode::version_conflict);
  }
  SECTION("a repeat") {
    REQUIRE(replica->append_replicated(messages[0], 1));
    auto again = replica->append_replicated(messages[0], 1);
    REQUIRE_FALSE(again);
    CHECK(again.error().code == ledger::ErrorCode::version_conflict);
    CHECK(replica->head().position == 1);
  }
  SECTION("any altered byte of its head or its events") {
    // group := magic(4) version(1) follows(8) hash(32) recorded_at(8) count(4), then each event's
    // length(4) and stored bytes: every byte up to the answers is covered by a check.
    const auto& message = messages[0];
    const std::size_t length = (static_cast<unsigned char>(message[57]) << 24) | (static_cast<unsigned char>(message[58]) << 16) |
                               (static_cast<unsigned char>(message[59]) << 8) | static_cast<unsigned char>(message[60]);
    const std::size_t covered = 61 + length;
    REQUIRE(covered < message.size());
    std::size_t accepted = 0;
    for (std::size_t at = 0; at < covered; ++at) {
      std::string altered = message;
      altered[at] = static_cast<char>(altered[at] ^ 0x01);
      if (replica->append_replicated(altered, 1)) ++accepted;
    }
    CHECK(accepted == 0);
    CHECK(replica->head().position == 0);
  }
  SECTION("an answer that names another command") {
    std::string altered = messages[0];
    const auto id_at = altered.rfind("m0");
    REQUIRE(id_at != std::string::npos);
    altered[id_at + 1] = '9';
    auto appended = replica->append_replicated(altered, 1);
    REQUIRE_FALSE(appended);
    CHECK(appended.error().code == ledger::ErrorCode::invalid_argument);
  }
  SECTION("not a group at all") {
    auto garbage = replica->append_replicated("OLRG\x01 truncated", 1);
    REQUIRE_FALSE(garbage);
    CHECK(garbage.error().code == ledger::ErrorCode::invalid_argument);
  }
  if (replica->head().position == 0) CHECK(replica->replication_sequence() == 0);
}

TEST_CASE("replication: a refused publish writes nothing, answers the command stopped, and stops the writer") {
  TempDir dir;
  CapturingReplicator replicator;
  auto writer = ledger::Ledger::open(dir.path(), {.replicated = true}).value();
  writer->set_replicator(&replicator);
  REQUIRE(writer->append(member_added("first", "org:a", "u")));
  const auto head = writer->head();

  SECTION("fenced: another writer holds the log") {
    replicator.refuse_with(ledger::ErrorCode::version_conflict);
    auto refused = writer->append(member_added("second", "org:a", "u"));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ledger::ErrorCode::stopped);
  }
  SECTION("no answer from the log: the outcome is unknown") {
    replicator.refuse_with(ledger::ErrorCode::io_error);
    auto refused = writer->append(member_added("second", "org:a", "u"));
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == ledger::ErrorCode::outcome_unknown);
  }
  CHECK(writer->failure().has_value());
  CHECK(writer->head().position == head.position);
  auto next = writer->append(member_added("third", "org:a", "u"));
  REQUIRE_FALSE(next);
  CHECK(next.error().code == ledger::ErrorCode::stopped);
  writer.reset();
  auto reopened = ledger::Ledger::open(dir.path()).value();
  CHECK(reopened->head().position == head.position);
  CHECK_FALSE(reopened->find_command("second").value().has_value());
}

TEST_CASE("replication: a ledger of a replicated log takes no command of its own without a replicator, nor a group with one") {
  TempDir dir, other_dir;
  auto replica = ledger::Ledger::open(dir.path(), {.replicated = true}).value();
  auto refused = replica->append(member_added("local", "org:a", "u"));
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == ledger::ErrorCode::invalid_argument);
  CHECK(replica->head().position == 0);

  CapturingReplicator replicator;
  auto writer = ledger::Ledger::open(other_dir.path(), {.replicated = true}).value();
  writer->set_replicator(&replicator);
  REQUIRE(writer->append(member_added("w", "org:a", "u")));
  // A writer does not take the log's groups: it writes them.
  auto group = writer->append_replicated(replicator.messages().front(), 1);
  REQUIRE_FALSE(group);
  CHECK(group.error().code == ledger::ErrorCode::invalid_argument);
}

TEST_CASE("replication: a store without a replicated sequence (every store before issue 18) opens at sequence 0 and appends as before") {
  TempDir dir;
  {
    auto log = ledger::Ledger::open(dir.path()).value();
    REQUIRE(log->append(member_added("before", "org:a", "u")));
    CHECK(log->replication_sequence() == 0);
  }
  auto log = ledger::Ledger::open(dir.path()).value();
  CHECK(log->replication_sequence() == 0);
  REQUIRE(log->append(member_added("after", "org:a", "u")));
  CHECK(log->head().position == 2);
}
