#include "orgledger/projections/snapshotter.h"

#include "orgledger/projections/evolve.h"

namespace orgledger::projections {

Snapshotter::Snapshotter(ledger::Ledger& ledger, State start, Position every, SnapshotNote note)
    : ledger_(ledger), state_(std::move(start)), every_(every), note_(std::move(note)), thread_([this] { run(); }) {}

Snapshotter::~Snapshotter() {
  stopping_ = true;
  thread_.join();
}

void Snapshotter::run() {
  pthread_setname_np(pthread_self(), "snapshotter");
  try {
    auto subscription = ledger_.subscribe(state_.position + 1);
    Position saved = state_.position;
    bool whole = true;  // the state ends with a whole command (a snapshot is never taken inside one)
    while (!stopping_.load()) {
      auto events = subscription->next(4096, std::chrono::milliseconds(200));
      if (!events) {
        if (note_) note_("snapshots stopped: " + events.error().message);
        return;
      }
      for (const auto& event : *events) evolve(state_, event);
      if (!events->empty()) whole = events->back().ends_command();
      if (whole && state_.position >= saved + every_) {
        if (auto stored = save_snapshot(ledger_, state_); !stored) {
          if (note_)
            note_("snapshot at position " + std::to_string(state_.position) + " not stored: " + stored.error().message);
        }
        saved = state_.position;
      }
    }
  } catch (const std::exception& error) {
    // Snapshots only save time: their failure must not end the server.
    if (note_) note_(std::string("snapshots stopped: ") + error.what());
  }
}

}  // namespace orgledger::projections
