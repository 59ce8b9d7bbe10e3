// Repeats of one command id inside a single group commit, made deterministic: a clock that holds
// the writer inside its first group lets the test queue the repeats so that they form the next.
#include <catch2/catch.hpp>

#include <condition_variable>
#include <future>
#include <mutex>

#include "commands.h"
#include "gate_clock.h"
#include "manual_clock.h"
#include "orgledger/ledger/ledger.h"
#include "temp_dir.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {


using Outcome = std::expected<ledger::CommandAnswer, ledger::Error>;

}  // namespace

TEST_CASE("idempotency: repeats queued into one group are appended once, answered in order") {
  TempDir dir;
  GateClock clock;
  auto log = ledger::Ledger::open(dir.path(), {.clock = &clock}).value();
  clock.close();
  std::promise<Outcome> blocker;
  log->append_async(member_added("blocker", "org:a", "u0"), [&](Outcome o) { blocker.set_value(std::move(o)); });
  clock.wait_for_writer();  // the writer holds the blocker's group; what follows queues up

  std::vector<std::promise<Outcome>> answers(6);
  std::vector<int> order;
  std::mutex order_mutex;
  auto submit = [&](int i, ledger::CommandAppend cmd) {
    log->append_async(std::move(cmd), [&, i](Outcome o) {
      {
        std::lock_guard lock(order_mutex);
        order.push_back(i);
      }
      answers[i].set_value(std::move(o));
    });
  };
  auto conflicting = member_added("same", "org:a", "u9");
  conflicting.expected = ledger::ExpectedVersion{"org:a", 7};
  submit(0, std::move(conflicting));                     // refused: does not take the id
  submit(1, member_added("same", "org:a", "u1"));        // the first that appends
  submit(2, member_added("same", "org:b", "u2"));        // repeat: first answer
  submit(3, member_added("other", "org:a", "u3"));
  submit(4, member_added("same", "org:c", "u4"));        // repeat again
  submit(5, member_added("blocker", "org:a", "u5"));     // repeat of a command of the previous group
  clock.open();

  REQUIRE(blocker.get_future().get());
  std::vector<Outcome> outcomes;
  for (auto& answer : answers) outcomes.push_back(answer.get_future().get());
  CHECK(outcomes[0].error().code == ledger::ErrorCode::version_conflict);
  REQUIRE(outcomes[1]);
  CHECK_FALSE(outcomes[1]->duplicate);
  CHECK(outcomes[1]->position == 2);
  for (int i : {2, 4}) {
    REQUIRE(outcomes[i]);
    CHECK(outcomes[i]->duplicate);
    CHECK(outcomes[i]->position == 2);
    CHECK(outcomes[i]->stream == "org:a");
  }
  REQUIRE(outcomes[3]);
  CHECK(outcomes[3]->position == 3);
  REQUIRE(outcomes[5]);
  CHECK(outcomes[5]->duplicate);
  CHECK(outcomes[5]->position == 1);
  CHECK(order == std::vector<int>{0, 1, 2, 3, 4, 5});
  CHECK(log->head().position == 3);
  CHECK(log->stream_version("org:b").value() == 0);
}
