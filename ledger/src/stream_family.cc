// Ledger::read_stream_family: the events of every stream under a prefix up to a position, for
// questions that a family of streams answers alone (every abuse report as of a past point, A1–A7),
// so that they cost that family's history rather than a fold of the whole log.
#include <algorithm>
#include <memory>
#include <rocksdb/db.h>

#include "ledger_impl.h"
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

// The index entries of every stream under `prefix` at positions up to `until`, by position. A
// stream's versions must run 1, 2, … with no gap, as read_stream requires.
std::expected<std::vector<IndexEntry>, Error> family_entries(const Store& store, std::string_view prefix,
                                                              Position until) {
  const std::string upper = layout::prefix_end_key(prefix);
  const rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions options;
  options.total_order_seek = true;  // across streams: the family's Bloom filters are per stream
  if (!upper.empty()) options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(store.db().NewIterator(options, store.streams()));

  std::vector<IndexEntry> entries;
  std::string stream;
  StreamVersion expected = 1;
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid();) {
    const auto key = layout::split_stream_key(it->key().ToStringView());
    const auto position = layout::parse_position_key(it->value().ToStringView());
    if (!key || !position) return std::unexpected(malformed("an entry is malformed"));
    if (key->stream != stream) {
      stream = key->stream;
      expected = 1;
    }
    if (key->version != expected) {
      return std::unexpected(malformed("stream " + stream + " misses version " + std::to_string(expected)));
    }
    if (*position > until) {
      // Later versions of this stream come later in the log too: go to the next stream.
      it->Seek(layout::stream_end_key(stream));
      continue;
    }
    entries.push_back({*position, stream, key->version});
    ++expected;
    it->Next();
  }
  if (!it->status().ok()) return std::unexpected(io_error("read failed", it->status()));
  std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) { return a.position < b.position; });
  return entries;
}

}  // namespace

std::expected<std::vector<RecordedEvent>, Error> Ledger::Impl::read_stream_family(std::string_view prefix,
                                                                                  Position until) const {
  if (prefix.empty()) return std::unexpected(Error{ErrorCode::invalid_argument, "a stream family needs a prefix"});
  auto entries = family_entries(*store_, prefix, std::min(until, head().position));
  if (!entries) return std::unexpected(entries.error());

  // Ascending seeks on one iterator: the events are read in log order, block after block.
  std::unique_ptr<rocksdb::Iterator> it(store_->db().NewIterator(rocksdb::ReadOptions(), store_->events()));
  std::vector<RecordedEvent> events;
  events.reserve(entries->size());
  for (const auto& entry : *entries) {
    const std::string key = layout::position_key(entry.position);
    it->Seek(key);
    if (!it->Valid() || it->key() != rocksdb::Slice(key)) {
      if (!it->status().ok()) return std::unexpected(io_error("read failed", it->status()));
      return std::unexpected(bad_event(entry.position, "event missing"));
    }
    auto event = RecordedEvent::from_stored(entry.position, it->value().ToString());
    if (!event) return std::unexpected(event.error());
    if (event->stream() != entry.stream || event->stream_version() != entry.version) {
      return std::unexpected(bad_event(entry.position, "stream index points at another event"));
    }
    events.push_back(std::move(*event));
  }
  return events;
}

}  // namespace orgledger::ledger
