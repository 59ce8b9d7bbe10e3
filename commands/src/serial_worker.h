// One thread that runs tasks in the order they were posted: the processor's G2 shredding, slow
// I/O (a synced write, a flush, a compaction of the key store) that must hold neither the
// ledger's writer nor its answer thread.
#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>

namespace orgledger::commands {

class SerialWorker {
 public:
  SerialWorker() = default;
  // Runs every task posted before, then joins the thread.
  ~SerialWorker();
  SerialWorker(const SerialWorker&) = delete;
  SerialWorker& operator=(const SerialWorker&) = delete;

  // Thread-safe. The thread starts with the first task.
  void post(std::function<void()> task);

 private:
  void run();
  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<std::function<void()>> tasks_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace orgledger::commands
