#include "orgledger/commands/scheduler.h"

#include <future>

namespace orgledger::commands {

namespace {
constexpr auto kLongestSleep = std::chrono::seconds(1);
}  // namespace

std::size_t Scheduler::run_once() {
  const ledger::Micros now = clock_.now();
  std::vector<Command> due;
  {
    std::lock_guard lock(index_mutex_);
    index_.update(processor_.version(), now);
    due = index_.due(now);
  }
  std::vector<std::future<Outcome>> answers;
  for (auto& command : due) {
    auto promise = std::make_shared<std::promise<Outcome>>();
    answers.push_back(promise->get_future());
    processor_.submit(std::move(command), [promise](Outcome outcome) { promise->set_value(std::move(outcome)); });
  }
  std::size_t recorded = 0;
  for (auto& answer : answers) {
    auto outcome = answer.get();
    if (outcome && !outcome->duplicate) ++recorded;
  }
  return recorded;
}

std::optional<ledger::Micros> Scheduler::next_due(ledger::Micros now) {
  std::lock_guard lock(index_mutex_);
  index_.update(processor_.version(), now);
  return index_.next_after(now);
}

void Scheduler::start() {
  std::lock_guard lock(mutex_);
  if (thread_.joinable()) return;
  stopping_ = false;
  thread_ = std::thread([this] {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
      lock.unlock();
      run_once();
      const auto now = clock_.now();
      const auto next = next_due(now);
      lock.lock();
      auto sleep = std::chrono::duration_cast<std::chrono::microseconds>(kLongestSleep);
      if (next) sleep = std::min(sleep, std::chrono::microseconds(*next - now));
      wake_.wait_for(lock, sleep, [this] { return stopping_; });
    }
  });
}

void Scheduler::stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  if (thread_.joinable()) thread_.join();
}

}  // namespace orgledger::commands
