// Direct RocksDB access to a closed ledger's store, for tests that damage it on purpose (the
// layout is ledger/src/store_layout.h; the family names are part of the persisted format).
#pragma once

#include <rocksdb/db.h>
#include <rocksdb/table_properties.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace orgledger::testing {

class RawStore {
 public:
  explicit RawStore(const std::string& directory) {
    std::vector<rocksdb::ColumnFamilyDescriptor> families;
    for (const char* name : {"events", "streams", "commands", "meta", "default", "tokens", "snapshots", "tree", "checkpoints"}) {
      families.emplace_back(name, rocksdb::ColumnFamilyOptions());
    }
    rocksdb::DB* raw = nullptr;
    rocksdb::DBOptions options;
    options.create_missing_column_families = true;  // a store from before a family was added
    const auto status = rocksdb::DB::Open(options, directory, families, &handles_, &raw);
    if (!status.ok()) throw std::runtime_error(status.ToString());
    db_.reset(raw);
  }
  ~RawStore() {
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
    db_->Close();
  }

  rocksdb::ColumnFamilyHandle* events() const { return handles_[0]; }
  rocksdb::ColumnFamilyHandle* meta() const { return handles_[3]; }

  static std::string key(std::uint64_t position) {
    std::string out(8, '\0');
    for (int i = 7; i >= 0; --i, position >>= 8) out[i] = static_cast<char>(position & 0xFF);
    return out;
  }

  std::string get_event(std::uint64_t position) {
    std::string value;
    check(db_->Get(rocksdb::ReadOptions(), events(), key(position), &value));
    return value;
  }
  void put_event(std::uint64_t position, const std::string& value) {
    check(db_->Put(rocksdb::WriteOptions(), events(), key(position), value));
  }
  // An entry of the streams index (stream id, 0x00, version big-endian -> position).
  void put_stream_entry(const std::string& stream, std::uint64_t version, std::uint64_t position) {
    check(db_->Put(rocksdb::WriteOptions(), handles_[1], stream + '\0' + key(version), key(position)));
  }
  void delete_stream_entry(const std::string& stream, std::uint64_t version) {
    check(db_->Delete(rocksdb::WriteOptions(), handles_[1], stream + '\0' + key(version)));
  }
  // Empties the Merkle tree's family: a store as the builds before the tree left it.
  void drop_tree() {
    const std::string from(1, '\0'), to(2, '\xff');  // every node and the recorded size
    check(db_->DeleteRange(rocksdb::WriteOptions(), handles_[7], from, to));
  }
  // Cuts the log back to its first `size` events, as a store restored from an older backup would
  // be (the tree's nodes past it are left, as the ledger overwrites them).
  void truncate_to(std::uint64_t size) {
    std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(rocksdb::ReadOptions(), events()));
    for (it->Seek(key(size + 1)); it->Valid(); it->Next()) check(db_->Delete(rocksdb::WriteOptions(), events(), it->key()));
    std::string head = key(size) + get_event(size).substr(0, 32);
    check(db_->Put(rocksdb::WriteOptions(), meta(), "head", head));
  }
  // A node of the Merkle tree (level, index), as store_layout.h keys it.
  static std::string tree_key(unsigned level, std::uint64_t index) { return std::string(1, static_cast<char>(level)) + key(index); }
  std::string get_tree_node(unsigned level, std::uint64_t index) {
    std::string value;
    check(db_->Get(rocksdb::ReadOptions(), handles_[7], tree_key(level, index), &value));
    return value;
  }
  void put_tree_node(unsigned level, std::uint64_t index, const std::string& value) {
    check(db_->Put(rocksdb::WriteOptions(), handles_[7], tree_key(level, index), value));
  }
  // The tree's recorded size (key 0xFF), which the first build with a tree did not write.
  void delete_tree_size() { check(db_->Delete(rocksdb::WriteOptions(), handles_[7], std::string(1, '\xff'))); }
  void delete_tree_node(unsigned level, std::uint64_t index) {
    check(db_->Delete(rocksdb::WriteOptions(), handles_[7], tree_key(level, index)));
  }
  // Data blocks in the snapshots family's table files (RocksDB's table properties).
  std::uint64_t snapshot_data_blocks() {
    rocksdb::TablePropertiesCollection tables;
    check(db_->GetPropertiesOfAllTables(handles_[6], &tables));
    std::uint64_t blocks = 0;
    for (const auto& [file, properties] : tables) blocks += properties->num_data_blocks;
    return blocks;
  }
  void delete_meta(const std::string& key) { check(db_->Delete(rocksdb::WriteOptions(), meta(), key)); }
  std::string get_meta(const std::string& key) {
    std::string value;
    check(db_->Get(rocksdb::ReadOptions(), meta(), key, &value));
    return value;
  }
  // Empties the stored checkpoints (a store from before them, or one restored without them).
  void drop_checkpoints() {
    check(db_->DeleteRange(rocksdb::WriteOptions(), handles_[8], key(0), std::string(9, '\xff')));
  }
  void delete_event(std::uint64_t position) {
    check(db_->Delete(rocksdb::WriteOptions(), events(), key(position)));
  }
  // Flips one bit of the value stored at `position`.
  void flip_bit(std::uint64_t position, std::size_t byte, int bit) {
    std::string value = get_event(position);
    value.at(byte) = static_cast<char>(value.at(byte) ^ (1 << bit));
    put_event(position, value);
  }

 private:
  static void check(const rocksdb::Status& status) {
    if (!status.ok()) throw std::runtime_error(status.ToString());
  }
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

}  // namespace orgledger::testing
