#include "orgledger/projections/snapshotter.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

namespace orgledger::projections {

Snapshotter::Snapshotter(ledger::Ledger& ledger, VersionSource latest, Position every, SnapshotNote note,
                         std::chrono::milliseconds poll, std::vector<StreamFamily> families)
    : ledger_(ledger),
      latest_(std::move(latest)),
      every_(every),
      note_(std::move(note)),
      families_(std::move(families)),
      family_due_(families_.size(), 0),
      poll_(poll),
      thread_([this] { run(); }) {}

Snapshotter::~Snapshotter() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  thread_.join();
}

void Snapshotter::run() {
  pthread_setname_np(pthread_self(), "snapshotter");
  // Encoding a snapshot takes a core for seconds: at a lower priority (nice 10, this thread only)
  // it takes the CPU the writer and the queries leave, and never theirs. Failing to lower it
  // changes nothing but that.
  (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
  Position saved = latest_()->position;
  std::unique_lock lock(mutex_);
  while (!wake_.wait_for(lock, poll_, [this] { return stopping_; })) {
    save_state(lock, saved);
    extend_families(lock);
  }
}

void Snapshotter::save_state(std::unique_lock<std::mutex>& lock, Position& saved) {
  const std::shared_ptr<const State> version = latest_();
  if (version->position < saved + every_) return;
  // A version is published just before the log's head moves past its group: wait for the head
  // (its events must be readable to be checked and hashed).
  if (version->position > ledger_.head().position) return;
  lock.unlock();
  try {
    if (auto stored = save_snapshot(ledger_, *version); !stored && note_) {
      note_("snapshot at position " + std::to_string(version->position) + " not stored: " + stored.error().message);
    }
  } catch (const std::exception& error) {
    // Snapshots only save time: their failure must not end the server.
    if (note_) note_(std::string("snapshot not stored: ") + error.what());
  }
  saved = version->position;
  lock.lock();
}

void Snapshotter::extend_families(std::unique_lock<std::mutex>& lock) {
  for (std::size_t i = 0; i < families_.size(); ++i) {
    const StreamFamily& family = families_[i];
    while (!stopping_ && ledger_.head().position >= family_due_[i]) {
      lock.unlock();
      std::string failure;
      try {
        auto due = store_due_family_snapshot(ledger_, family);
        if (due) family_due_[i] = *due;
        else failure = due.error().message;
      } catch (const std::exception& error) {
        failure = error.what();
      }
      // A failure is told, then tried again once the log has moved on by a spacing.
      if (!failure.empty()) {
        if (note_) note_("snapshot of the streams " + family.prefix + " not stored: " + failure);
        family_due_[i] = ledger_.head().position + family.every;
      }
      lock.lock();
    }
  }
}

}  // namespace orgledger::projections
