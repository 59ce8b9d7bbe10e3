// Whole-state work (cost class `whole_state`, issue 11): global as-of folds, verify, event scans.
// It runs on threads of its own, never on the threads that answer checks and commands, behind a
// bounded queue, and each token holds at most a small share of it at once; a job whose client left
// is skipped when its turn comes (a running one sees its flag and stops, see Call::cancelled).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <expected>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

namespace orgledger::api {

class CostlyPool {
 public:
  struct Limits {
    std::size_t threads = 1;
    std::size_t queue = 8;      // jobs waiting for a thread (running ones not counted)
    std::size_t per_token = 2;  // jobs queued or running for one token
  };
  enum class Refusal {
    token_busy,  // the token holds its share already: 429 (API.md rate_limited)
    full,        // the queue is full, or the pool stopping: 503 (API.md unavailable)
  };
  // A job learns whether its client left before its turn came: `skipped` true means it must only
  // answer (nobody reads the answer), not do the work.
  using Job = std::function<void(bool skipped)>;

  explicit CostlyPool(Limits limits);
  ~CostlyPool();  // join()
  CostlyPool(const CostlyPool&) = delete;
  CostlyPool& operator=(const CostlyPool&) = delete;

  // Queues `job` for `token`, to be skipped if `cancelled` is set before it starts. Thread-safe.
  std::expected<void, Refusal> submit(const std::string& token, std::shared_ptr<const std::atomic<bool>> cancelled,
                                      Job job);

  // Runs what is queued (each job is called once, skipped or not), then ends the threads.
  void join();

  std::size_t queued() const;

 private:
  struct Entry {
    std::string token;
    std::shared_ptr<const std::atomic<bool>> cancelled;
    Job job;
  };
  void run();

  const Limits limits_;
  mutable std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Entry> queue_;
  std::unordered_map<std::string, std::size_t> held_;  // token → jobs queued or running
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace orgledger::api
