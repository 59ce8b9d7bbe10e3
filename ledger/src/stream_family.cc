// Ledger::read_stream_family: the events of every stream under a prefix in a range of positions, for
// questions that a family of streams answers alone (every abuse report as of a past point, A1–A7),
// so that they cost that family's history rather than a fold of the whole log.
#include <algorithm>
#include <memory>
#include <rocksdb/db.h>

#include "ledger_impl.h"
#include "orgledger/ledger/iterator_bytes.h"
#include "store.h"
#include "store_layout.h"

namespace orgledger::ledger {
namespace {

// One entry of the streams index: which event holds version `version` of `stream`.
struct IndexEntry {
  Position position = 0;
  std::string stream;
  StreamVersion version = 0;
};

Error malformed(std::string_view what) { return Error{ErrorCode::corrupt, "streams index: " + std::string(what)}; }

Error bad_event(Position position, std::string_view what) {
  return Error{ErrorCode::corrupt, "event " + std::to_string(position) + ": " + std::string(what), position};
}

// The index entries of every stream under `prefix` at positions in (after, until], by position. A
// stream's versions must run 1, 2, … with no gap, as read_stream requires: every entry up to
// `until` is checked, even those at or before `after`.
std::expected<std::vector<IndexEntry>, Error> family_entries(const Store& store, std::string_view prefix,
                                                              Position after, Position until) {
  const std::string upper = layout::prefix_end_key(prefix);
  const rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions options;
  options.total_order_seek = true;  // across streams: the family's Bloom filters are per stream
  if (!upper.empty()) options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(store.db().NewIterator(options, store.streams()));

  // A Seek costs a search of every level; Next, a step. A stream past `until` is skipped by steps
  // while it is short (most streams of a family: a report has at most six events), by a Seek after.
  constexpr int kStepsBeforeSeek = 8;
  std::vector<IndexEntry> entries;
  std::string stream;
  StreamVersion expected = 1;
  int skipped = 0;
  std::string key_bytes, value_bytes;
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid();) {
    const auto key = layout::split_stream_key(copy_key(*it, key_bytes));
    const auto position = layout::parse_position_key(copy_value(*it, value_bytes));
    if (!key || !position) return std::unexpected(malformed("an entry is malformed"));
    if (key->stream != stream) {
      stream = key->stream;
      expected = 1;
      skipped = 0;
    }
    if (key->version != expected) {
      return std::unexpected(malformed("stream " + stream + " misses version " + std::to_string(expected)));
    }
    ++expected;
    if (*position <= until) {
      if (*position > after) entries.push_back({*position, stream, key->version});
    } else if (++skipped == kStepsBeforeSeek) {
      // Later versions of this stream come later in the log too: on to the next stream.
      it->Seek(layout::stream_end_key(stream));
      continue;
    }
    it->Next();
  }
  if (!it->status().ok()) return std::unexpected(io_error("read failed", it->status()));
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.position < b.position; });
  return entries;
}

}  // namespace

std::expected<std::vector<RecordedEvent>, Error> Ledger::Impl::read_stream_family(std::string_view prefix,
                                                                                  Position until,
                                                                                  Position after) const {
  if (prefix.empty()) return std::unexpected(Error{ErrorCode::invalid_argument, "a stream family needs a prefix"});
  auto entries = family_entries(*store_, prefix, after, std::min(until, head().position));
  if (!entries) return std::unexpected(entries.error());

  // Batched point reads in log order (RocksDB's MultiGet: one pass per table file per batch).
  constexpr std::size_t kBatch = 512;
  std::vector<RecordedEvent> events;
  events.reserve(entries->size());
  std::vector<std::string> keys;
  std::vector<rocksdb::Slice> slices;
  std::vector<rocksdb::PinnableSlice> values(kBatch);
  std::vector<rocksdb::Status> statuses(kBatch);
  for (std::size_t first = 0; first < entries->size(); first += kBatch) {
    const std::size_t count = std::min(kBatch, entries->size() - first);
    keys.clear();
    slices.clear();
    for (std::size_t i = 0; i < count; ++i) keys.push_back(layout::position_key((*entries)[first + i].position));
    for (const auto& key : keys) slices.emplace_back(key);
    store_->db().MultiGet(rocksdb::ReadOptions(), store_->events(), count, slices.data(), values.data(),
                          statuses.data(), /*sorted_input=*/true);
    for (std::size_t i = 0; i < count; ++i) {
      const auto& entry = (*entries)[first + i];
      if (statuses[i].IsNotFound()) return std::unexpected(bad_event(entry.position, "event missing"));
      if (!statuses[i].ok()) return std::unexpected(io_error("read failed", statuses[i]));
      auto event = RecordedEvent::from_stored(entry.position, values[i].ToString());
      values[i].Reset();
      if (!event) return std::unexpected(event.error());
      if (event->stream() != entry.stream || event->stream_version() != entry.version) {
        return std::unexpected(bad_event(entry.position, "stream index points at another event"));
      }
      events.push_back(std::move(*event));
    }
  }
  return events;
}

}  // namespace orgledger::ledger
