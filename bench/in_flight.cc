#include "in_flight.h"

#include "bench_support.h"

namespace orgledger::bench {

void InFlight::acquire() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return outstanding_ < limit_; });
  ++outstanding_;
}

bool InFlight::acquire_within(const Stopwatch& elapsed, double max_seconds) {
  acquire();
  if (elapsed.seconds() < max_seconds) return true;
  release();
  return false;
}

void InFlight::release() {
  std::lock_guard lock(mutex_);
  --outstanding_;
  changed_.notify_all();
}

void InFlight::wait_idle() {
  std::unique_lock lock(mutex_);
  changed_.wait(lock, [this] { return outstanding_ == 0; });
}

void BoundedAppender::append(ledger::CommandAppend command) {
  in_flight_.acquire();
  ledger_.append_async(std::move(command), [this](std::expected<ledger::CommandAnswer, ledger::Error> outcome) {
    if (!outcome) {
      std::lock_guard lock(mutex_);
      if (!first_error_) first_error_ = outcome.error();
    }
    in_flight_.release();
  });
}

void BoundedAppender::drain(const std::string& what) {
  in_flight_.wait_idle();
  std::lock_guard lock(mutex_);
  if (first_error_) fail(what, *first_error_);
}

}  // namespace orgledger::bench
