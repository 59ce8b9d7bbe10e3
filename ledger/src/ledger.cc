// Opening a ledger (with the tail re-verified before any append) and the read paths.
#include "orgledger/ledger/ledger.h"

#include <rocksdb/iterator.h>
#include <rocksdb/write_batch.h>

#include <cstring>
#include <future>
#include <limits>

#include "answer_codec.h"
#include "chain_checker.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/iterator_bytes.h"
#include "orgledger/ledger/small_files.h"
#include "ledger_impl.h"
#include "tree_store.h"
#include "store_layout.h"

namespace orgledger::ledger {
namespace {

Error corrupt(const ChainProblem& problem) {
  return Error{ErrorCode::corrupt, "event " + std::to_string(problem.position) + ": " + problem.problem,
               problem.position};
}

// Re-checks the last `count` events against the chain and the recorded head, so that nothing is
// ever chained onto a damaged or incomplete tail. Returns the head event's recorded_at.
std::expected<Micros, Error> reverify_tail(const Store& store, const Head& head, std::size_t count) {
  auto last_key = store.last_event_key();
  if (!last_key) return std::unexpected(last_key.error());
  if (*last_key > head.position) return std::unexpected(corrupt({head.position + 1, "event beyond the recorded head"}));
  if (head.position == 0) return Micros{0};

  const Position first = head.position > count ? head.position - count + 1 : 1;
  Hash previous = kZeroHash;
  if (first > 1) {
    auto value = store.get(store.events(), layout::position_key(first - 1));
    if (!value) return std::unexpected(value.error());
    if (!*value || (*value)->size() < layout::kHashSize) {
      return std::unexpected(corrupt({first - 1, "event missing"}));
    }
    std::copy_n((*value)->begin(), layout::kHashSize, previous.begin());
  }
  ChainChecker checker(first, previous);
  const std::string first_key = layout::position_key(first);
  std::unique_ptr<rocksdb::Iterator> it(store.db().NewIterator(rocksdb::ReadOptions(), store.events()));
  Micros last_recorded_at = 0;
  std::string key, value;
  for (it->Seek(first_key); it->Valid(); it->Next()) {
    if (auto problem = checker.check(copy_key(*it, key), copy_value(*it, value))) {
      return std::unexpected(corrupt(*problem));
    }
    if (checker.next_position() > head.position) {
      auto event = RecordedEvent::from_stored(head.position, value);
      if (event) last_recorded_at = event->recorded_at();
    }
  }
  if (!it->status().ok()) return std::unexpected(io_error("read failed", it->status()));
  if (auto problem = checker.finish(head)) return std::unexpected(corrupt(*problem));
  return last_recorded_at;
}

// A store gets its log id (API.md: the default checkpoint origin) when it is first opened for
// writing, whether new or made by a build before checkpoints.
std::expected<void, Error> ensure_log_id(Store& store) {
  const rocksdb::Slice key(layout::kLogIdKey.data(), layout::kLogIdKey.size());
  auto existing = store.get(store.meta(), key);
  if (!existing) return std::unexpected(existing.error());
  if (*existing) return {};
  std::array<std::uint8_t, 8> bytes{};
  if (!store.os().random().fill(bytes)) return std::unexpected(Error{ErrorCode::io_error, "no randomness for the log id"});
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string id;
  for (auto byte : bytes) {
    id += kDigits[byte >> 4];
    id += kDigits[byte & 0x0f];
  }
  rocksdb::WriteOptions durable;
  durable.sync = true;
  auto status = store.stopped();
  if (status.ok()) status = store.db().Put(durable, store.meta(), key, id);
  if (!status.ok()) return std::unexpected(io_error("cannot record the log id", status));
  return {};
}

// Positions are u64: clamp from + limit - 1 instead of overflowing.
Position last_wanted(Position from, std::size_t limit) {
  const auto room = std::numeric_limits<Position>::max() - from;
  return limit - 1 > room ? std::numeric_limits<Position>::max() : from + (limit - 1);
}

}  // namespace

std::expected<std::unique_ptr<Ledger>, Error> Ledger::open(const std::string& directory,
                                                           const LedgerOptions& options) {
  Env& os = options.env != nullptr ? *options.env : Env::system();
  auto store = Store::open(directory, options.mode, os);
  if (!store) return std::unexpected(store.error());
  auto head = (*store)->recorded_head();
  if (!head) return std::unexpected(head.error());
  Micros last_recorded_at = 0;
  if (options.mode == OpenMode::read_write) {
    auto tail = reverify_tail(**store, *head, std::max<std::size_t>(options.reverify_on_open, 1));
    if (!tail) return std::unexpected(tail.error());
    last_recorded_at = *tail;
    if (auto id = ensure_log_id(**store); !id) return std::unexpected(id.error());
  }
  auto tree_size = stored_tree_size(**store, head->position);
  if (!tree_size) return std::unexpected(tree_size.error());
  auto tree = std::make_unique<TreeStore>(**store, *tree_size);
  if (options.mode == OpenMode::read_write && options.build_merkle_tree) {
    // A store written before the Merkle tree (or one whose last build was cut short) gets the
    // nodes of its events now, before any append (issue 14); then the writer's right edge is
    // read, so that a tree it cannot extend is found here, not at every append.
    if (*tree_size < head->position) {
      if (auto built = tree->backfill(head->position); !built) return std::unexpected(built.error());
    }
    if (auto edge = tree->load_edge(); !edge) return std::unexpected(edge.error());
  }
  const Clock& clock = options.clock != nullptr ? *options.clock : os.clock();
  return std::unique_ptr<Ledger>(new Ledger(std::make_unique<Impl>(std::move(*store), std::move(tree), clock, options.mode,
                                                                   *head, last_recorded_at, options.build_merkle_tree,
                                                                   options.pipelined_writer, options.replicated)));
}

Ledger::Ledger(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
const std::string& Ledger::directory() const { return impl_->store().directory(); }
Env& Ledger::env() const { return impl_->store().os(); }

std::expected<std::string, Error> Ledger::log_id() const {
  const Store& store = impl_->store();
  auto id = store.get(store.meta(), rocksdb::Slice(layout::kLogIdKey.data(), layout::kLogIdKey.size()));
  if (!id) return std::unexpected(id.error());
  return id->value_or("");
}

namespace {

// The tree's sizes a question may name: 1 to the head, and only as far as the tree is built (a
// read-only open of a store whose tree was never built has none).
std::optional<Error> tree_size_problem(const Ledger::Impl& impl, std::uint64_t size) {
  if (size == 0 || size > impl.head().position) {
    return Error{ErrorCode::invalid_argument, "tree size " + std::to_string(size) + " is not between 1 and the head"};
  }
  if (size > impl.tree().size()) return Error{ErrorCode::not_found, "the tree of this store is not built that far"};
  return std::nullopt;
}

NodeReader reader_of(const Ledger::Impl& impl) {
  return [&impl](unsigned level, std::uint64_t index) { return impl.tree().stored(level, index); };
}

}  // namespace

std::expected<Hash, Error> Ledger::tree_root(std::uint64_t size) const {
  if (auto problem = tree_size_problem(*impl_, size)) return std::unexpected(*problem);
  return ledger::tree_root(size, reader_of(*impl_));
}

std::expected<std::vector<Hash>, Error> Ledger::inclusion_proof(std::uint64_t leaf_index, std::uint64_t size) const {
  if (auto problem = tree_size_problem(*impl_, size)) return std::unexpected(*problem);
  return ledger::inclusion_path(leaf_index, size, reader_of(*impl_));
}

std::expected<std::vector<Hash>, Error> Ledger::consistency_proof(std::uint64_t from, std::uint64_t to) const {
  if (auto problem = tree_size_problem(*impl_, to)) return std::unexpected(*problem);
  return ledger::consistency_path(from, to, reader_of(*impl_));
}
Ledger::~Ledger() = default;

std::expected<CommandAnswer, Error> Ledger::append(CommandAppend command) {
  std::promise<std::expected<CommandAnswer, Error>> answer;
  auto future = answer.get_future();
  impl_->submit(std::move(command), [&answer](std::expected<CommandAnswer, Error> outcome) {
    answer.set_value(std::move(outcome));
  });
  return future.get();
}

void Ledger::append_async(CommandAppend command, Completion done) {
  impl_->submit(std::move(command), std::move(done));
}

void Ledger::append_decided_async(std::string command_id, Prepare prepare, Completion done) {
  impl_->submit_decided(std::move(command_id), std::move(prepare), std::move(done));
}

void Ledger::set_replicator(GroupReplicator* replicator) { impl_->set_replicator(replicator); }

std::expected<Head, Error> Ledger::append_replicated(std::string message, std::uint64_t sequence) {
  std::promise<std::expected<CommandAnswer, Error>> outcome;
  auto future = outcome.get_future();
  impl_->submit_replicated(std::move(message), sequence,
                           [&outcome](std::expected<CommandAnswer, Error> answer) { outcome.set_value(std::move(answer)); });
  auto answer = future.get();
  if (!answer) return std::unexpected(answer.error());
  return head();
}

void Ledger::append_replicated_async(std::string message, std::uint64_t sequence, Completion done) {
  impl_->submit_replicated(std::move(message), sequence, std::move(done));
}

std::uint64_t Ledger::replication_sequence() const { return impl_->replication_sequence(); }

void Ledger::set_decider(GroupDecider* decider) { impl_->set_decider(decider); }
void Ledger::set_group_observer(GroupObserver* observer) { impl_->set_group_observer(observer); }


Head Ledger::head() const { return impl_->head(); }
std::optional<Error> Ledger::failure() const { return impl_->failure(); }

std::expected<std::vector<RecordedEvent>, Error> Ledger::read(Position from, std::size_t limit) const {
  return impl_->read(from, limit);
}

std::expected<std::vector<RecordedEvent>, Error> Ledger::read_stream(std::string_view stream,
                                                                     StreamVersion from_version,
                                                                     std::size_t limit) const {
  return impl_->read_stream(stream, from_version, limit);
}

std::expected<std::vector<RecordedEvent>, Error> Ledger::read_stream_family(std::string_view prefix, Position until,
                                                                            Position after) const {
  return impl_->read_stream_family(prefix, until, after);
}

std::expected<StreamVersion, Error> Ledger::stream_version(std::string_view stream) const {
  return impl_->stream_version(stream);
}

std::expected<std::optional<CommandAnswer>, Error> Ledger::find_command(std::string_view command_id) const {
  return impl_->find_command(command_id);
}

std::unique_ptr<Subscription> Ledger::subscribe(Position from) const {
  return std::unique_ptr<Subscription>(new Subscription(*impl_, std::max<Position>(from, 1)));
}

Head Ledger::Impl::head() const {
  std::lock_guard lock(head_mutex_);
  return head_;
}

Head Ledger::Impl::wait_for_head(Position position, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(head_mutex_);
  head_changed_.wait_for(lock, timeout, [&] { return head_.position >= position; });
  return head_;
}

std::optional<Error> Ledger::Impl::failure() const {
  std::lock_guard lock(head_mutex_);
  return failure_;
}

std::expected<std::vector<RecordedEvent>, Error> Ledger::Impl::read(Position from, std::size_t limit) const {
  from = std::max<Position>(from, 1);
  const Position to = std::min(head().position, last_wanted(from, std::max<std::size_t>(limit, 1)));
  std::vector<RecordedEvent> events;
  if (limit == 0 || from > to) return events;
  events.reserve(static_cast<std::size_t>(std::min<Position>(to - from + 1, 4096)));

  const std::string upper = layout::position_key(to + 1);
  const rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(store_->db().NewIterator(options, store_->events()));
  Position expected = from;
  std::string key;
  for (it->Seek(layout::position_key(from)); it->Valid() && expected <= to; it->Next()) {
    if (layout::parse_position_key(copy_key(*it, key)) != expected) break;
    auto event = RecordedEvent::from_stored(expected, value_string(*it));
    if (!event) return std::unexpected(event.error());
    events.push_back(std::move(*event));
    ++expected;
  }
  if (!it->status().ok()) return std::unexpected(io_error("read failed", it->status()));
  if (expected <= to) return std::unexpected(corrupt({expected, "event missing"}));
  return events;
}

std::expected<std::vector<RecordedEvent>, Error> Ledger::Impl::read_stream(std::string_view stream,
                                                                           StreamVersion from_version,
                                                                           std::size_t limit) const {
  const Position head_position = head().position;
  from_version = std::max<StreamVersion>(from_version, 1);
  const std::string upper = layout::stream_end_key(stream);
  const rocksdb::Slice upper_bound(upper);
  rocksdb::ReadOptions options;
  options.iterate_upper_bound = &upper_bound;
  std::unique_ptr<rocksdb::Iterator> it(store_->db().NewIterator(options, store_->streams()));

  std::vector<RecordedEvent> events;
  StreamVersion expected = from_version;
  std::string key, value;
  for (it->Seek(layout::stream_key(stream, from_version)); it->Valid() && events.size() < limit; it->Next()) {
    const auto version = layout::parse_stream_key(copy_key(*it, key), stream);
    const auto position = layout::parse_position_key(copy_value(*it, value));
    if (!version || !position) {
      return std::unexpected(Error{ErrorCode::corrupt, "malformed stream index entry of " + std::string(stream)});
    }
    if (*position > head_position) break;  // written but not yet published
    if (*version != expected) {
      return std::unexpected(Error{ErrorCode::corrupt, "stream " + std::string(stream) + " misses version " +
                                                           std::to_string(expected)});
    }
    auto stored = store_->get(store_->events(), layout::position_key(*position));
    if (!stored) return std::unexpected(stored.error());
    if (!*stored) return std::unexpected(corrupt({*position, "event missing"}));
    auto event = RecordedEvent::from_stored(*position, std::move(**stored));
    if (!event) return std::unexpected(event.error());
    if (event->stream() != stream || event->stream_version() != expected) {
      return std::unexpected(corrupt({*position, "stream index points at another event"}));
    }
    events.push_back(std::move(*event));
    ++expected;
  }
  if (!it->status().ok()) return std::unexpected(io_error("read failed", it->status()));
  return events;
}

std::expected<StreamVersion, Error> Ledger::Impl::stream_version(std::string_view stream) const {
  const Position head_position = head().position;
  std::unique_ptr<rocksdb::Iterator> it(store_->db().NewIterator(rocksdb::ReadOptions(), store_->streams()));
  // Walk back from the newest entry past any that is written but not yet published.
  std::string key, value;
  for (it->SeekForPrev(layout::stream_last_key(stream)); it->Valid(); it->Prev()) {
    const auto version = layout::parse_stream_key(copy_key(*it, key), stream);
    if (!version) break;
    const auto position = layout::parse_position_key(copy_value(*it, value));
    if (position && *position <= head_position) return *version;
  }
  if (!it->status().ok()) return std::unexpected(io_error("read failed", it->status()));
  return StreamVersion{0};
}

std::expected<std::optional<CommandAnswer>, Error> Ledger::Impl::find_command(std::string_view command_id) const {
  auto stored = store_->get(store_->commands(), rocksdb::Slice(command_id.data(), command_id.size()));
  if (!stored) return std::unexpected(stored.error());
  if (!*stored) return std::optional<CommandAnswer>{};
  auto answer = answer_codec::decode(**stored);
  if (!answer) {
    return std::unexpected(Error{ErrorCode::corrupt, "the stored answer of command " + std::string(command_id) +
                                                         " is malformed"});
  }
  // Between the durable write and its publication the answer is already stored: wait the moment
  // out, so that an answer never names a position readers cannot read yet.
  if (answer->position > head().position) wait_for_head(answer->position, std::chrono::seconds(5));
  return std::optional<CommandAnswer>{std::move(*answer)};
}

}  // namespace orgledger::ledger
