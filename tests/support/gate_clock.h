// A clock that can hold the ledger's writer at its next reading (once per group commit) until the
// test releases it, so that a test decides which submissions share a group.
#pragma once

#include <condition_variable>
#include <mutex>

#include "manual_clock.h"
#include "orgledger/ledger/clock.h"

namespace orgledger::testing {

class GateClock final : public ledger::Clock {
 public:
  ledger::Micros now() const override {
    std::unique_lock lock(mutex_);
    ++waiting_;
    changed_.notify_all();
    changed_.wait(lock, [this] { return open_; });
    --waiting_;
    return kSampleInstant;
  }
  void close() {
    std::lock_guard lock(mutex_);
    open_ = false;
  }
  void open() {
    {
      std::lock_guard lock(mutex_);
      open_ = true;
    }
    changed_.notify_all();
  }
  // Returns once someone (the writer) waits at the closed gate.
  void wait_for_writer() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return waiting_ > 0; });
  }

 private:
  mutable std::mutex mutex_;
  mutable std::condition_variable changed_;
  mutable int waiting_ = 0;
  bool open_ = true;
};

}  // namespace orgledger::testing
