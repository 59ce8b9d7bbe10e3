#include "orgledger/projections/snapshotter.h"

#include <pthread.h>
#include <sys/resource.h>
#include <unistd.h>

namespace orgledger::projections {

Snapshotter::Snapshotter(ledger::Ledger& ledger, VersionSource latest, Position every, SnapshotNote note,
                         std::chrono::milliseconds poll)
    : ledger_(ledger), latest_(std::move(latest)), every_(every), note_(std::move(note)), poll_(poll), thread_([this] { run(); }) {}

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
    const std::shared_ptr<const State> version = latest_();
    if (version->position < saved + every_) continue;
    // A version is published just before the log's head moves past its group: wait for the head
    // (its events must be readable to be checked and hashed).
    if (version->position > ledger_.head().position) continue;
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
}

}  // namespace orgledger::projections
