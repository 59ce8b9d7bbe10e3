// G1, `keys rotate-master`: every data key re-wrapped under a new master key, no file left holding
// a key under the old one, and a rotation stopped at any step finished by running it again.
#include <sys/stat.h>

#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "rotation_steps.h"
#include "temp_dir.h"
#include "vault_testing.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

struct Stored {
  std::string subject;
  vault::Sealed sealed;
};

std::vector<Stored> populate(const vault::Options& options, int count) {
  auto v = open_vault(options);
  std::vector<Stored> stored;
  for (int i = 0; i < count; ++i) {
    const auto subject = "user:" + std::to_string(i);
    stored.push_back({subject, v->seal(v->fresh_key().value(), subject, subject + "@example.com").value()});
  }
  return stored;
}

void check_readable(const vault::Options& options, const std::vector<Stored>& stored) {
  auto v = open_vault(options);
  for (const auto& item : stored) {
    INFO(item.subject);
    REQUIRE(v->open(item.subject, item.sealed).value() == item.subject + "@example.com");
  }
}

// No file of the store holds a record wrapped under the old master key: neither any of the
// records as they were, nor anything starting like one (0x01 ‖ old master id, key_store.cc).
// Checked first to be there, so that the scan could fail.
struct OldWraps {
  std::string record_start;
  std::vector<std::string> records;

  static OldWraps before(const std::string& directory) {
    OldWraps old{"\x01" + raw_value(directory, "m/master").value(), {}};
    for (auto& [id, record] : raw_key_records(directory)) old.records.push_back(record);
    REQUIRE_FALSE(files_containing(directory, old.record_start).empty());
    // A record in a write-ahead log may straddle one of its 32 KiB blocks (a header then splits it),
    // so not every record is found whole: one at least must be, or the scan could not fail.
    const bool one_found = std::any_of(old.records.begin(), old.records.begin() + std::min<std::size_t>(old.records.size(), 16),
                                       [&](const std::string& record) { return !files_containing(directory, record).empty(); });
    REQUIRE(one_found);
    return old;
  }
  void check_gone(const std::string& directory) const {
    CHECK(files_containing(directory, record_start).empty());
    std::vector<std::string> contents;
    for (const auto& entry : std::filesystem::recursive_directory_iterator(directory)) {
      if (entry.is_regular_file()) contents.push_back(read_whole_file(entry.path()));
    }
    std::size_t found = 0;
    for (const auto& record : records) {
      for (const auto& file : contents) found += file.find(record) != std::string::npos;
    }
    CHECK(found == 0);
  }
};

bool exists(const std::string& path) { return std::filesystem::exists(path); }

}  // namespace

TEST_CASE("rotate master: a generated key replaces the default one, every key still opens, the old key is refused") {
  TempDir dir;
  const vault::Options options{.directory = dir.sub("vault")};
  const auto stored = populate(options, 300);
  const auto old_text = read_whole_file(dir.sub("master.key"));
  const auto old = OldWraps::before(options.directory);

  const auto rotation = vault::rotate_master(options, std::nullopt).value();
  CHECK(rotation.rewrapped == 300);
  CHECK(rotation.new_master_file == dir.sub("master.key"));
  CHECK(rotation.new_master_id.size() == 16);
  CHECK(rotation.new_master_id != hex_of(old.record_start.substr(1)));
  CHECK(hex_of(raw_value(options.directory, "m/master").value()) == rotation.new_master_id);
  CHECK_FALSE(raw_value(options.directory, "m/rotation"));
  CHECK_FALSE(exists(dir.sub("master.key.next")));
  CHECK(read_whole_file(dir.sub("master.key")) != old_text);
  struct stat status {};
  REQUIRE(::stat(dir.sub("master.key").c_str(), &status) == 0);
  CHECK((status.st_mode & 0777) == 0600);

  check_readable(options, stored);
  old.check_gone(options.directory);
  write_whole_file(dir.sub("old.key"), old_text);
  const auto refused = vault::Vault::open({.directory = options.directory, .master_key_file = dir.sub("old.key")});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == vault::ErrorCode::bad_master_key);
  CHECK_THAT(refused.error().message, Catch::Contains(rotation.new_master_id));
}

TEST_CASE("rotate master: to a named key file, which the store then needs, the default file untouched") {
  TempDir dir;
  const vault::Options options{.directory = dir.sub("vault")};
  const auto stored = populate(options, 50);
  const auto old_text = read_whole_file(dir.sub("master.key"));
  const auto old = OldWraps::before(options.directory);
  write_whole_file(dir.sub("new.key"), std::string(64, 'c'));
  const auto rotation = vault::rotate_master(options, dir.sub("new.key")).value();
  CHECK(rotation.rewrapped == 50);
  CHECK(rotation.new_master_file == dir.sub("new.key"));
  CHECK(read_whole_file(dir.sub("master.key")) == old_text);
  CHECK(vault::Vault::open(options).error().code == vault::ErrorCode::bad_master_key);
  check_readable({.directory = options.directory, .master_key_file = dir.sub("new.key")}, stored);
  old.check_gone(options.directory);
}

TEST_CASE("rotate master: refusals - an open store, no store, the wrong old key, the same key, read-only") {
  TempDir dir;
  const vault::Options options{.directory = dir.sub("vault")};
  CHECK(vault::rotate_master(options, std::nullopt).error().code == vault::ErrorCode::invalid_argument);
  populate(options, 3);
  {
    auto running = open_vault(options);  // holds the store's lock, as a running server does
    CHECK(vault::rotate_master(options, std::nullopt).error().code == vault::ErrorCode::io_error);
  }
  write_whole_file(dir.sub("other.key"), std::string(64, 'd'));
  CHECK(vault::rotate_master({.directory = options.directory, .master_key_file = dir.sub("other.key")}, std::nullopt)
            .error()
            .code == vault::ErrorCode::bad_master_key);
  CHECK(vault::rotate_master(options, dir.sub("master.key")).error().code == vault::ErrorCode::invalid_argument);
  CHECK(vault::rotate_master({.directory = options.directory, .mode = vault::Mode::read_only}, std::nullopt)
            .error()
            .code == vault::ErrorCode::read_only);
  CHECK_FALSE(exists(dir.sub("master.key.next")));
  open_vault(options);  // all of that changed nothing
}

TEST_CASE("rotate master: stopped at any step (generated key), running it again finishes the job") {
  struct Stop {
    vault::RotationStep step;
    int occurrence;
  };
  const auto stop = GENERATE(Stop{vault::RotationStep::new_master_written, 1}, Stop{vault::RotationStep::rotation_recorded, 1},
                             Stop{vault::RotationStep::batch_rewrapped, 1}, Stop{vault::RotationStep::batch_rewrapped, 2},
                             Stop{vault::RotationStep::master_switched, 1}, Stop{vault::RotationStep::files_rewritten, 1},
                             Stop{vault::RotationStep::master_renamed, 1});
  INFO("stopped after " << vault::to_string(stop.step) << " #" << stop.occurrence);
  TempDir dir;
  const vault::Options options{.directory = dir.sub("vault")};
  const auto stored = populate(options, 2600);  // three batches of re-wrapping
  const auto old = OldWraps::before(options.directory);
  int seen = 0;
  const auto stopped = vault::rotate_master(options, std::nullopt, [&](vault::RotationStep step) {
    return !(step == stop.step && ++seen == stop.occurrence);
  });
  REQUIRE_FALSE(stopped);
  CHECK(stopped.error().code == vault::ErrorCode::io_error);

  // Meanwhile the vault opens only where every key is under the key it is given.
  {
    const auto meanwhile = vault::Vault::open(options);
    const bool opens =
        stop.step == vault::RotationStep::new_master_written || stop.step == vault::RotationStep::master_renamed;
    CHECK(meanwhile.has_value() == opens);
    if (!meanwhile) CHECK(meanwhile.error().code == vault::ErrorCode::bad_master_key);
    if (meanwhile) {
      CHECK(meanwhile.value()->open(stored[7].subject, stored[7].sealed).value() == stored[7].subject + "@example.com");
    }
  }

  const auto finished = vault::rotate_master(options, std::nullopt);
  INFO((finished ? std::string() : finished.error().message));
  REQUIRE(finished);
  // What the second run still had to re-wrap. Stopped after the rename, the first run had done
  // everything: the second is simply one more rotation.
  std::size_t left = 2600;
  if (stop.step == vault::RotationStep::batch_rewrapped) left = 2600 - 1000 * stop.occurrence;
  if (stop.step == vault::RotationStep::master_switched || stop.step == vault::RotationStep::files_rewritten) left = 0;
  CHECK(finished->rewrapped == left);
  CHECK(hex_of(raw_value(options.directory, "m/master").value()) == finished->new_master_id);
  CHECK_FALSE(raw_value(options.directory, "m/rotation"));
  CHECK_FALSE(exists(dir.sub("master.key.next")));
  check_readable(options, stored);
  old.check_gone(options.directory);
}

TEST_CASE("rotate master: stopped at any step (named key), running it again with the same files finishes it") {
  const auto stop = GENERATE(vault::RotationStep::rotation_recorded, vault::RotationStep::batch_rewrapped,
                             vault::RotationStep::master_switched, vault::RotationStep::files_rewritten);
  INFO("stopped after " << vault::to_string(stop));
  TempDir dir;
  const vault::Options options{.directory = dir.sub("vault")};
  const auto stored = populate(options, 1500);
  const auto old = OldWraps::before(options.directory);
  write_whole_file(dir.sub("new.key"), std::string(64, 'e'));
  REQUIRE_FALSE(vault::rotate_master(options, dir.sub("new.key"), [&](vault::RotationStep step) { return step != stop; }));
  // Another new key cannot take over an unfinished rotation.
  if (stop == vault::RotationStep::rotation_recorded || stop == vault::RotationStep::batch_rewrapped) {
    write_whole_file(dir.sub("third.key"), std::string(64, 'f'));
    CHECK(vault::rotate_master(options, dir.sub("third.key")).error().code == vault::ErrorCode::invalid_argument);
    CHECK(vault::rotate_master(options, std::nullopt).error().code == vault::ErrorCode::invalid_argument);
  }
  const auto finished = vault::rotate_master(options, dir.sub("new.key"));
  INFO((finished ? std::string() : finished.error().message));
  REQUIRE(finished);
  CHECK(finished->new_master_file == dir.sub("new.key"));
  check_readable({.directory = options.directory, .master_key_file = dir.sub("new.key")}, stored);
  old.check_gone(options.directory);
}
