// G2, crypto-shredding: forget() destroys a subject's keys, and no file of the key store keeps
// them. Checked byte for byte on disk: the test first proves that it finds the stored record
// where it is (so that it could fail), then that nothing is left after forget().
#include <catch2/catch.hpp>

#include <filesystem>

#include "temp_dir.h"
#include "vault_testing.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

bool any_table(const std::vector<std::string>& files) {
  return std::any_of(files.begin(), files.end(), [](const std::string& name) { return name.ends_with(".sst"); });
}

}  // namespace

TEST_CASE("forget: the subject reads as forgotten at once and after a reopen, others are untouched") {
  TempDir dir;
  const vault::Options options{.directory = dir.sub("vault")};
  vault::Sealed gone, kept;
  {
    auto v = open_vault(options);
    const auto key = v->fresh_key().value();
    gone = v->seal(key, "user:1", "alice").value();
    kept = v->seal(v->fresh_key().value(), "user:2", "bob").value();
    CHECK(v->open("user:1", gone).value() == "alice");  // its key is cached now
    REQUIRE(v->forget("user:1", std::vector<std::string>{key.id}));
    CHECK(v->forgotten("user:1"));
    CHECK_FALSE(v->forgotten("user:2"));
    CHECK_FALSE(v->has_key(key.id));
    CHECK(v->open("user:1", gone).value() == std::nullopt);
    CHECK(v->open("user:2", kept).value() == "bob");
  }
  auto v = open_vault(options);
  CHECK(v->forgotten("user:1"));
  CHECK(v->open("user:1", gone).value() == std::nullopt);
  CHECK(v->open("user:2", kept).value() == "bob");
  // The key is gone, not merely hidden by the marker: no other subject can open with it either.
  CHECK_FALSE(v->has_key(gone.key_id));
}

TEST_CASE("forget: twice is fine, unknown and malformed key ids are ignored, a subject without keys too") {
  TempDir dir;
  auto v = open_vault({.directory = dir.sub("vault")});
  const auto key = v->fresh_key().value();
  const auto sealed = v->seal(key, "kcheck:1", "passport").value();
  const auto count = v->key_count();
  const std::vector<std::string> ids = {key.id, std::string(32, '0'), "junk", ""};
  REQUIRE(v->forget("kcheck:1", ids));
  REQUIRE(v->forget("kcheck:1", ids));
  CHECK(v->key_count() == count - 1);
  CHECK(v->open("kcheck:1", sealed).value() == std::nullopt);
  REQUIRE(v->forget("abuse:anonymous", {}));
  CHECK(v->forgotten("abuse:anonymous"));
}

TEST_CASE("forget: no file of the key store holds the destroyed key, wrapped or raw, nor ever the raw key") {
  // Where the record is when forget() runs: only in the write-ahead log (just made), or in a table
  // (the reopen flushed the recovered log), or in tables spread over several flushes and levels.
  const auto where = GENERATE(as<std::string>{}, "log", "table", "levels");
  INFO("record in " << where);
  TempDir dir;
  const vault::Options options{.directory = dir.sub("vault")};
  auto v = open_vault(options);
  const auto key = v->fresh_key().value();
  const auto sealed = v->seal(key, "user:1", "alice@example.com").value();
  const auto other = v->seal(v->fresh_key().value(), "user:2", "bob@example.com").value();
  if (where != "log") {
    v.reset();
    for (int round = 0; where == "levels" && round < 6; ++round) {
      auto more = open_vault(options);  // each reopen flushes a table: enough for compactions
      for (int i = 0; i < 300; ++i) REQUIRE(more->fresh_key());
    }
    v = open_vault(options);
  }
  const auto stored = raw_value(options.directory, "k/" + key.id).value();
  const auto on_disk = files_containing_a_half(options.directory, stored);
  INFO("record found in " << on_disk.size() << " files");
  REQUIRE_FALSE(on_disk.empty());  // the scan finds what is there
  if (where != "log") CHECK(any_table(on_disk));
  CHECK(files_containing(options.directory, bytes_of(key)).empty());  // only ever stored wrapped

  REQUIRE(v->forget("user:1", std::vector<std::string>{key.id}));
  CHECK(files_containing_a_half(options.directory, stored).empty());
  CHECK(files_containing(options.directory, stored.substr(21)).empty());
  CHECK(files_containing(options.directory, bytes_of(key)).empty());
  // The other subject's key is still stored (and still found by the same scan).
  const auto kept = raw_value(options.directory, "k/" + other.key_id).value();
  CHECK_FALSE(files_containing_a_half(options.directory, kept).empty());
  CHECK(v->open("user:2", other).value() == "bob@example.com");
  CHECK(v->open("user:1", sealed).value() == std::nullopt);
}

TEST_CASE("forget: a forget stopped after its deletion is finished at the next open (G2)") {
  // "bottommost": the deletion and the record it shadows were already compacted together into the
  // last level (a snapshot kept both), which only a forced bottommost compaction rewrites.
  const auto where = GENERATE(as<std::string>{}, "table", "bottommost");
  INFO("record and deletion in " << where);
  TempDir dir;
  const vault::Options options{.directory = dir.sub("vault")};
  vault::DataKey key;
  vault::Sealed sealed;
  {
    auto v = open_vault(options);
    key = v->fresh_key().value();
    sealed = v->seal(key, "user:1", "alice").value();
  }
  open_vault(options);  // the reopen put the record into a table
  const auto stored = raw_value(options.directory, "k/" + key.id).value();
  REQUIRE_FALSE(files_containing(options.directory, stored).empty());
  {
    // What forget() has made durable when a crash stops it before the files are rewritten.
    rocksdb::DB* raw = nullptr;
    REQUIRE(rocksdb::DB::Open(rocksdb::Options(), options.directory, &raw).ok());
    std::unique_ptr<rocksdb::DB> db(raw);
    const rocksdb::Snapshot* snapshot = db->GetSnapshot();
    rocksdb::WriteBatch batch;
    batch.Put("f/user:1", "\x01");
    batch.Put("m/shred", "\x01");
    batch.Delete("k/" + key.id);
    rocksdb::WriteOptions synced;
    synced.sync = true;
    REQUIRE(db->Write(synced, &batch).ok());
    if (where == "bottommost") {
      rocksdb::CompactRangeOptions compact;
      compact.bottommost_level_compaction = rocksdb::BottommostLevelCompaction::kForce;
      REQUIRE(db->CompactRange(compact, nullptr, nullptr).ok());
      std::vector<rocksdb::LiveFileMetaData> tables;
      db->GetLiveFilesMetaData(&tables);
      for (const auto& table : tables) CHECK(table.level > 0);  // nothing left above the last level
    }
    db->ReleaseSnapshot(snapshot);
    REQUIRE(db->Close().ok());
  }
  REQUIRE_FALSE(files_containing(options.directory, stored).empty());
  auto v = open_vault(options);
  CHECK(files_containing(options.directory, stored).empty());
  CHECK_FALSE(raw_value(options.directory, "m/shred"));
  CHECK(v->forgotten("user:1"));
  CHECK(v->open("user:1", sealed).value() == std::nullopt);
}
