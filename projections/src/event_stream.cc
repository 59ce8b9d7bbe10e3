#include "orgledger/projections/event_stream.h"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace orgledger::projections {
namespace {

constexpr std::size_t kChunk = 8192;
constexpr std::size_t kChunksAhead = 4;  // bounded: memory stays flat on any log

using Chunk = std::expected<std::vector<ledger::RecordedEvent>, ledger::Error>;

class ReadAhead {
 public:
  ReadAhead(const ledger::Ledger& ledger, ledger::Position from, ledger::Position to)
      : reader_([this, &ledger, from, to] { run(ledger, from, to); }) {}
  ~ReadAhead() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    changed_.notify_all();
    reader_.join();
  }

  // Hands a folded chunk back: the reader thread, which allocated its events, frees them too
  // (freeing across threads makes malloc's arenas contend).
  void recycle(Chunk chunk) {
    std::lock_guard lock(mutex_);
    used_.push_back(std::move(chunk));
  }

  // The next chunk; an empty one at the end.
  Chunk next() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !chunks_.empty() || finished_; });
    if (chunks_.empty()) return std::vector<ledger::RecordedEvent>{};
    Chunk chunk = std::move(chunks_.front());
    chunks_.pop_front();
    changed_.notify_all();
    return chunk;
  }

 private:
  void run(const ledger::Ledger& ledger, ledger::Position from, ledger::Position to) {
    for (ledger::Position next = from; next <= to;) {
      {
        std::vector<Chunk> used;
        {
          std::lock_guard lock(mutex_);
          used.swap(used_);
        }
      }  // freed here, on this thread
      Chunk chunk = ledger.read(next, std::min<std::size_t>(kChunk, to - next + 1));
      const bool last = !chunk || chunk->empty();
      if (chunk) next += chunk->size();
      std::unique_lock lock(mutex_);
      changed_.wait(lock, [this] { return chunks_.size() < kChunksAhead || stopping_; });
      if (stopping_) break;
      if (!last || !chunk) chunks_.push_back(std::move(chunk));
      changed_.notify_all();
      if (last) break;
    }
    std::lock_guard lock(mutex_);
    finished_ = true;
    changed_.notify_all();
  }

  std::mutex mutex_;
  std::condition_variable changed_;
  std::deque<Chunk> chunks_;
  std::vector<Chunk> used_;
  bool finished_ = false;
  bool stopping_ = false;
  std::thread reader_;  // last: starts once the rest is ready
};

}  // namespace

std::expected<void, ledger::Error> for_each_event(const ledger::Ledger& ledger, ledger::Position from,
                                                  ledger::Position to,
                                                  const std::function<bool(const ledger::RecordedEvent&)>& apply) {
  from = std::max<ledger::Position>(from, 1);
  to = std::min(to, ledger.head().position);
  if (from > to) return {};
  ReadAhead ahead(ledger, from, to);
  for (;;) {
    auto chunk = ahead.next();
    if (!chunk) return std::unexpected(chunk.error());
    if (chunk->empty()) return {};
    for (const auto& event : *chunk) {
      if (!apply(event)) return {};
    }
    ahead.recycle(std::move(chunk));
  }
}

}  // namespace orgledger::projections
