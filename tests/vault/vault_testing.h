// Helpers of the vault's tests: Random seams that can fail, the raw bytes of the key store's
// records (read with RocksDB directly, not through the vault), and a scan of every file on disk.
#pragma once

#include <rocksdb/db.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "orgledger/vault/vault.h"

namespace orgledger::testing {

// The system's randomness until `failing` is set.
class SwitchableRandom : public vault::Random {
 public:
  std::atomic<bool> failing{false};
  bool fill(std::span<std::uint8_t> out) override { return !failing && ledger::Env::system().random().fill(out); }
};

inline std::string read_whole_file(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

inline void write_whole_file(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

inline std::string bytes_of(const vault::DataKey& key) {
  return {reinterpret_cast<const char*>(key.bytes.data()), key.bytes.size()};
}

// Every regular file under `directory` whose bytes contain `needle`.
inline std::vector<std::string> files_containing(const std::string& directory, const std::string& needle) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(directory)) {
    if (!entry.is_regular_file()) continue;
    if (read_whole_file(entry.path()).find(needle) != std::string::npos) found.push_back(entry.path().string());
  }
  return found;
}

// The files holding either half of `record`: a record in a write-ahead log may straddle one of its
// 32 KiB blocks, and the block's header then splits it, but one half stays whole.
inline std::vector<std::string> files_containing_a_half(const std::string& directory, const std::string& record) {
  auto found = files_containing(directory, record.substr(0, record.size() / 2));
  for (auto& file : files_containing(directory, record.substr(record.size() / 2))) found.push_back(std::move(file));
  return found;
}

// The stored value of `key` in the key store at `directory`, read by RocksDB itself (read-only, so
// a vault may have it open meanwhile).
inline std::optional<std::string> raw_value(const std::string& directory, const std::string& key) {
  rocksdb::DB* raw = nullptr;
  const auto opened = rocksdb::DB::OpenForReadOnly(rocksdb::Options(), directory, &raw);
  REQUIRE(opened.ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::string value;
  const auto status = db->Get(rocksdb::ReadOptions(), key, &value);
  if (status.IsNotFound()) return std::nullopt;
  REQUIRE(status.ok());
  return value;
}

// Every `k/` record of the key store at `directory`: key id → record.
inline std::vector<std::pair<std::string, std::string>> raw_key_records(const std::string& directory) {
  rocksdb::DB* raw = nullptr;
  REQUIRE(rocksdb::DB::OpenForReadOnly(rocksdb::Options(), directory, &raw).ok());
  std::unique_ptr<rocksdb::DB> db(raw);
  std::vector<std::pair<std::string, std::string>> records;
  std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions()));
  for (it->Seek("k/"); it->Valid() && it->key().starts_with("k/"); it->Next()) {
    records.emplace_back(it->key().ToString().substr(2), it->value().ToString());
  }
  REQUIRE(it->status().ok());
  return records;
}

inline std::string hex_bytes(const std::string& hex) {
  std::string bytes;
  for (std::size_t i = 0; i + 1 < hex.size(); i += 2) bytes.push_back(static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16)));
  return bytes;
}

inline std::string hex_of(const std::string& bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  for (const unsigned char c : bytes) {
    hex.push_back(kDigits[c >> 4]);
    hex.push_back(kDigits[c & 15]);
  }
  return hex;
}

inline std::unique_ptr<vault::Vault> open_vault(const vault::Options& options) {
  auto opened = vault::Vault::open(options);
  INFO((opened ? std::string() : std::string(vault::to_string(opened.error().code)) + ": " + opened.error().message));
  REQUIRE(opened.has_value());
  return std::move(*opened);
}

}  // namespace orgledger::testing
