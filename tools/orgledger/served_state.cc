#include "served_state.h"

#include <chrono>
#include <cstdio>

#include "orgledger/commands/stream_names.h"
#include "orgledger/projections/snapshot.h"
#include "progress.h"

namespace orgledger::tools {

std::expected<void, ledger::Error> ServedState::rebuild() {
  const auto started = std::chrono::steady_clock::now();
  std::optional<Progress> progress;
  progress.emplace("rebuilding the state", parts_.ledger.head().position);
  auto processor = commands::CommandProcessor::start(parts_.ledger, parts_.clock, parts_.calendar, parts_.note,
                                                     [&](ledger::Position reached) { progress->update(reached); },
                                                     &parts_.vault);
  progress.reset();
  if (!processor) return std::unexpected(processor.error());
  if (parts_.forget_shared) (*processor)->forget_shared_with(parts_.forget_shared);
  {
    std::lock_guard lock(scheduler_mutex_);  // start_scheduler() reads it
    processor_ = std::move(*processor);
  }
  // Versions of the recent past kept for as-of questions (one every 4096 positions).
  if (parts_.keep_versions) processor_->keep_versions(4096, *parts_.keep_versions);
  if (parts_.snapshot_every > 0) {
    // The abuse reports' own snapshots: every report as of any past point from the nearest one.
    std::vector<projections::StreamFamily> families{{.prefix = std::string(commands::kAbuseReportStreams)}};
    snapshotter_.emplace(parts_.ledger, [this] { return processor_->version(); }, parts_.snapshot_every, parts_.note,
                         std::chrono::milliseconds(200), std::move(families));
  }
  parts_.server.ready(*processor_);
  {
    std::lock_guard lock(scheduler_mutex_);
    schedule_ |= parts_.schedule_at_once;
    if (schedule_) {
      scheduler_.emplace(*processor_, parts_.clock, parts_.calendar);
      scheduler_->start();
    }
  }
  std::printf("orgledger ready: state rebuilt to position %llu in %.2f s; commands are taken\n",
              static_cast<unsigned long long>(processor_->version()->position),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
  std::fflush(stdout);
  return {};
}

void ServedState::start_scheduler() {
  std::lock_guard lock(scheduler_mutex_);
  schedule_ = true;
  if (!processor_ || scheduler_) return;  // rebuild() starts it
  scheduler_.emplace(*processor_, parts_.clock, parts_.calendar);
  scheduler_->start();
}

std::optional<ledger::Position> ServedState::shred_what_the_log_forgot() {
  std::lock_guard lock(scheduler_mutex_);
  if (!processor_) return std::nullopt;
  auto done = processor_->shred_what_the_log_forgot();
  if (!done) {
    parts_.note(done.error().message);
    return std::nullopt;
  }
  return *done;
}

ServedState::~ServedState() {
  if (!processor_) return;
  {
    std::lock_guard lock(scheduler_mutex_);
    scheduler_.reset();
  }
  snapshotter_.reset();
  if (auto saved = processor_->read([&](const projections::State& state) {
        return projections::save_snapshot(parts_.ledger, state, ledger::SnapshotPace::at_once);  // nothing else writes now
      });
      !saved) {
    parts_.note("no snapshot at shutdown: " + saved.error().message);
  }
  processor_.reset();  // waits for the commands in flight
}

}  // namespace orgledger::tools
