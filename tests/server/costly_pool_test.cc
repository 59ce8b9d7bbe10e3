// The costly pool and the connection gate on their own (api/src): the per-token share, the bounded
// queue, skipping cancelled work, and the gate's caps and reserve. Deterministic: jobs wait on a
// latch the test opens.
#include <catch2/catch.hpp>

#include <future>
#include <thread>

#include "as_of_cache.h"
#include "connection_gate.h"
#include "costly_pool.h"

namespace orgledger::api {
namespace {

// A job that holds its thread until `release` opens, and tells `started` when it runs.
CostlyPool::Job held_job(std::shared_future<void> release, std::promise<void>* started = nullptr,
                         std::atomic<int>* skipped = nullptr) {
  return [release, started, skipped](bool was_skipped) {
    if (was_skipped) {
      if (skipped) ++*skipped;
      return;
    }
    if (started) started->set_value();
    release.wait();
  };
}

TEST_CASE("costly pool: a token's share, then a full queue, and cancelled work is skipped", "[costly]") {
  CostlyPool pool({.threads = 1, .queue = 2, .per_token = 2});
  std::promise<void> open;
  const std::shared_future<void> release = open.get_future().share();
  std::promise<void> running;
  auto never = std::make_shared<std::atomic<bool>>(false);
  REQUIRE(pool.submit("a", never, held_job(release, &running)));
  running.get_future().wait();  // a's first job holds the only thread

  auto cancelled = std::make_shared<std::atomic<bool>>(false);
  std::atomic<int> skipped{0};
  REQUIRE(pool.submit("a", cancelled, held_job(release, nullptr, &skipped)));
  // Token a holds its two: a third is its share exceeded, whatever the queue.
  auto third = pool.submit("a", never, held_job(release));
  REQUIRE(!third);
  CHECK(third.error() == CostlyPool::Refusal::token_busy);
  // Token b fills the queue's second place; a third waiting job is a full pool.
  REQUIRE(pool.submit("b", never, held_job(release)));
  auto over = pool.submit("c", never, held_job(release));
  REQUIRE(!over);
  CHECK(over.error() == CostlyPool::Refusal::full);
  CHECK(pool.queued() == 2);

  cancelled->store(true);  // a's client left while its second job waited
  open.set_value();
  pool.join();
  CHECK(skipped.load() == 1);
}

TEST_CASE("costly pool: a finished job gives its token's share back", "[costly]") {
  CostlyPool pool({.threads = 1, .queue = 4, .per_token = 1});
  auto never = std::make_shared<std::atomic<bool>>(false);
  std::atomic<int> ran{0};
  for (int i = 0; i < 3; ++i) {
    // The share comes back just after the previous job returned: a few refusals may come first.
    bool accepted = false;
    for (int tries = 0; tries < 100'000 && !accepted; ++tries) {
      accepted = pool.submit("a", never, [&ran](bool) { ++ran; }).has_value();
      if (!accepted) std::this_thread::yield();
    }
    REQUIRE(accepted);
  }
  pool.join();
  CHECK(ran.load() == 3);
}

class Probe final : public Evictable {
 public:
  void evict() override { ++evicted; }
  int evicted = 0;
};

TEST_CASE("connection gate: per-address cap, and the oldest stranger of the busiest address evicted for the reserve", "[gate]") {
  ConnectionGate gate({.max_connections = 6, .per_address = 3, .reserved = 2});
  std::vector<std::shared_ptr<Probe>> probes;
  std::vector<std::uint64_t> ids;
  auto open = [&](const std::string& address) {
    auto admitted = gate.admit(address);
    if (!admitted) return admitted;
    probes.push_back(std::make_shared<Probe>());
    ids.push_back(admitted->id);
    gate.attach(admitted->id, probes.back());
    return admitted;
  };
  REQUIRE(open("10.0.0.1"));
  REQUIRE(open("10.0.0.1"));
  REQUIRE(open("10.0.0.1"));
  auto fourth = open("10.0.0.1");
  REQUIRE(!fourth);
  CHECK(fourth.error() == ConnectionGate::Refusal::per_address);
  // Unauthenticated may hold 6 − 2 = 4: the fourth stranger gets in, the fifth evicts the oldest.
  auto admitted = open("10.0.0.2");
  REQUIRE(admitted);
  CHECK(!admitted->evict);
  gate.authenticated(ids[3]);  // 10.0.0.2 shows a token: it is kept
  REQUIRE(open("10.0.0.3"));
  admitted = open("10.0.0.4");
  REQUIRE(admitted);
  REQUIRE(admitted->evict);
  admitted->evict->evict();
  CHECK(probes[0]->evicted == 1);  // the oldest stranger of the busiest address, not the authenticated one
  gate.closed(ids[0]);
  CHECK(open("10.0.0.1"));  // its address has room again
}

TEST_CASE("connection gate: a full server refuses, an evicted connection's place is a newcomer's", "[gate]") {
  ConnectionGate gate({.max_connections = 2, .per_address = 10, .reserved = 1});
  std::vector<std::shared_ptr<Probe>> probes;
  std::vector<std::uint64_t> ids;
  auto open = [&](const std::string& address) {
    auto admitted = gate.admit(address);
    if (!admitted) return admitted;
    probes.push_back(std::make_shared<Probe>());
    ids.push_back(admitted->id);
    gate.attach(admitted->id, probes.back());
    return admitted;
  };
  REQUIRE(open("10.0.0.1"));
  // One stranger at most (2 − 1 reserved): the second evicts the first, whose place it takes
  // though the first has not closed yet.
  auto second = open("10.0.0.2");
  REQUIRE(second);
  REQUIRE(second->evict);
  gate.authenticated(ids[1]);
  auto third = open("10.0.0.3");  // the evicted one has not closed, but no longer counts
  REQUIRE(third);
  gate.authenticated(ids[2]);
  auto full = open("10.0.0.4");  // two authenticated: nobody to make room
  REQUIRE(!full);
  CHECK(full.error() == ConnectionGate::Refusal::full);
  gate.closed(ids[0]);
  gate.closed(ids[1]);
  CHECK(open("10.0.0.4"));
}

TEST_CASE("as-of cache: least recently used goes first", "[cache]") {
  AsOfCache cache(2);
  auto state = [](ledger::Position position) {
    auto out = std::make_shared<projections::State>();
    out->position = position;
    return std::shared_ptr<const projections::State>(std::move(out));
  };
  cache.put(1, state(1));
  cache.put(2, state(2));
  REQUIRE(cache.find(1));  // 1 is now the most recent
  cache.put(3, state(3));
  CHECK(cache.find(2) == nullptr);
  REQUIRE(cache.find(1));
  CHECK(cache.find(1)->position == 1);
  REQUIRE(cache.find(3));
  AsOfCache none(0);
  none.put(1, state(1));
  CHECK(none.find(1) == nullptr);
}

}  // namespace
}  // namespace orgledger::api
