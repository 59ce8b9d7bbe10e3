#include "costly_pool.h"

#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <algorithm>

namespace orgledger::api {

CostlyPool::CostlyPool(Limits limits) : limits_(limits) {
  for (std::size_t i = 0; i < std::max<std::size_t>(1, limits_.threads); ++i) threads_.emplace_back([this] { run(); });
}

CostlyPool::~CostlyPool() { join(); }

std::expected<void, CostlyPool::Refusal> CostlyPool::submit(const std::string& token,
                                                            std::shared_ptr<const std::atomic<bool>> cancelled,
                                                            Job job) {
  {
    std::lock_guard lock(mutex_);
    if (stopping_ || queue_.size() >= limits_.queue) return std::unexpected(Refusal::full);
    auto& held = held_[token];
    if (held >= std::max<std::size_t>(1, limits_.per_token)) return std::unexpected(Refusal::token_busy);
    ++held;
    queue_.push_back({token, std::move(cancelled), std::move(job)});
  }
  ready_.notify_one();
  return {};
}

void CostlyPool::run() {
  // Whole-state work takes only the CPU that checks and commands leave: on Linux a thread has its
  // own nice value, and the lowest one lets any other thread of the server run first (issue 11's
  // target: their p99 no more than 2× under a flood of global as-of questions).
  ::setpriority(PRIO_PROCESS, static_cast<id_t>(::syscall(SYS_gettid)), 19);
  for (;;) {
    Entry entry;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stopping, and nothing left to answer
      entry = std::move(queue_.front());
      queue_.pop_front();
    }
    entry.job(entry.cancelled && entry.cancelled->load());
    std::lock_guard lock(mutex_);
    if (auto it = held_.find(entry.token); it != held_.end() && --it->second == 0) held_.erase(it);
  }
}

void CostlyPool::join() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (auto& thread : threads_) {
    if (thread.joinable()) thread.join();
  }
  threads_.clear();
}

std::size_t CostlyPool::queued() const {
  std::lock_guard lock(mutex_);
  return queue_.size();
}

}  // namespace orgledger::api
