#include "store.h"

#include <rocksdb/filter_policy.h>
#include <rocksdb/table.h>

#include <filesystem>

#include "store_layout.h"

namespace orgledger::ledger {
namespace {

rocksdb::ColumnFamilyOptions family_options(bool point_lookups) {
  rocksdb::ColumnFamilyOptions options;
  if (point_lookups) {
    // Idempotency lookups of new command ids are misses: a Bloom filter answers them from memory.
    rocksdb::BlockBasedTableOptions table;
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
    options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  }
  return options;
}

std::vector<rocksdb::ColumnFamilyDescriptor> family_descriptors() {
  return {
      {layout::kEventsFamily, family_options(false)},
      {layout::kStreamsFamily, family_options(false)},
      {layout::kCommandsFamily, family_options(true)},
      {layout::kMetaFamily, family_options(false)},
      {rocksdb::kDefaultColumnFamilyName, family_options(false)},
  };
}

}  // namespace

Error io_error(const std::string& what, const rocksdb::Status& status) {
  return Error{ErrorCode::io_error, what + ": " + status.ToString()};
}

std::expected<std::unique_ptr<Store>, Error> Store::open(const std::string& directory, OpenMode mode,
                                                        rocksdb::Env* env) {
  namespace fs = std::filesystem;
  std::error_code ignored;
  const bool exists = fs::exists(fs::path(directory) / "CURRENT", ignored);
  if (mode == OpenMode::read_only && !exists) {
    return std::unexpected(Error{ErrorCode::not_found, "no ledger in " + directory});
  }
  rocksdb::DBOptions options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  options.max_background_jobs = 2;
  options.paranoid_checks = true;
  options.keep_log_file_num = 4;
  if (env != nullptr) options.env = env;

  std::unique_ptr<Store> store(new Store());
  rocksdb::DB* raw = nullptr;
  rocksdb::Status status;
  if (mode == OpenMode::read_write) {
    std::error_code error;
    fs::create_directories(directory, error);
    if (error) {
      return std::unexpected(Error{ErrorCode::io_error, "cannot create " + directory + ": " + error.message()});
    }
    status = rocksdb::DB::Open(options, directory, family_descriptors(), &store->families_, &raw);
  } else {
    status = rocksdb::DB::OpenForReadOnly(options, directory, family_descriptors(), &store->families_, &raw);
  }
  if (!status.ok()) return std::unexpected(io_error("cannot open the ledger in " + directory, status));
  store->db_.reset(raw);

  auto format = store->get(store->meta(), rocksdb::Slice(layout::kFormatVersionKey.data(), layout::kFormatVersionKey.size()));
  if (!format) return std::unexpected(format.error());
  if (!*format) {
    if (mode == OpenMode::read_only) {
      return std::unexpected(Error{ErrorCode::not_found, "no ledger format recorded in " + directory});
    }
    rocksdb::WriteOptions durable;
    durable.sync = true;
    status = store->db_->Put(durable, store->meta(),
                             rocksdb::Slice(layout::kFormatVersionKey.data(), layout::kFormatVersionKey.size()),
                             rocksdb::Slice(layout::kFormatVersion.data(), layout::kFormatVersion.size()));
    if (!status.ok()) return std::unexpected(io_error("cannot initialise the ledger", status));
  } else if (**format != layout::kFormatVersion) {
    return std::unexpected(Error{ErrorCode::io_error, "unknown ledger format version '" + **format + "'"});
  }
  return store;
}

Store::~Store() {
  for (auto* family : families_) {
    if (db_) db_->DestroyColumnFamilyHandle(family);
  }
  if (db_) db_->Close();
}

std::expected<std::optional<std::string>, Error> Store::get(rocksdb::ColumnFamilyHandle* family,
                                                           const rocksdb::Slice& key) const {
  std::string value;
  const auto status = db_->Get(rocksdb::ReadOptions(), family, key, &value);
  if (status.IsNotFound()) return std::nullopt;
  if (!status.ok()) return std::unexpected(io_error("read failed", status));
  return value;
}

std::expected<Head, Error> Store::recorded_head() const {
  auto value = get(meta(), rocksdb::Slice(layout::kHeadKey.data(), layout::kHeadKey.size()));
  if (!value) return std::unexpected(value.error());
  if (!*value) return Head{};
  auto head = layout::decode_head(**value);
  if (!head) return std::unexpected(Error{ErrorCode::corrupt, "the recorded head is malformed"});
  return *head;
}

std::expected<Position, Error> Store::last_event_key() const {
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), events()));
  it->SeekToLast();
  if (!it->status().ok()) return std::unexpected(io_error("read failed", it->status()));
  if (!it->Valid()) return Position{0};
  auto position = layout::parse_position_key(it->key().ToStringView());
  if (!position) return std::unexpected(Error{ErrorCode::corrupt, "malformed event key at the end of the log"});
  return *position;
}

std::expected<StreamVersion, Error> Store::stream_version(std::string_view stream) const {
  const std::string end = layout::stream_end_key(stream);
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), streams()));
  it->SeekForPrev(end);
  if (!it->status().ok()) return std::unexpected(io_error("read failed", it->status()));
  if (!it->Valid()) return StreamVersion{0};
  return layout::parse_stream_key(it->key().ToStringView(), stream).value_or(0);
}

}  // namespace orgledger::ledger
