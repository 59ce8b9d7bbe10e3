// G1: the master key: created with mode 0600 on first use, its file format, and a store that
// refuses any other master key.
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>

#include "temp_dir.h"
#include "vault_testing.h"

using namespace orgledger;
using namespace orgledger::testing;

namespace {

bool is_lower_hex(const std::string& text) {
  return std::all_of(text.begin(), text.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

}  // namespace

TEST_CASE("master key: the default is <data>/master.key, created with mode 0600 holding 64 hex digits") {
  CHECK(vault::default_master_key_path("/data/vault") == "/data/master.key");
  CHECK(vault::default_master_key_path("/data/vault/") == "/data/master.key");
  CHECK(vault::default_master_key_path("data/vault") == "data/master.key");
  CHECK(vault::default_master_key_path("vault") == "./master.key");

  TempDir dir;
  const auto path = dir.sub("master.key");
  CHECK_FALSE(std::filesystem::exists(path));
  open_vault({.directory = dir.sub("vault")});
  struct stat status {};
  REQUIRE(::stat(path.c_str(), &status) == 0);
  CHECK((status.st_mode & 0777) == 0600);
  const auto text = read_whole_file(path);
  REQUIRE(text.size() == 65);
  CHECK(text.back() == '\n');
  CHECK(is_lower_hex(text.substr(0, 64)));
  // Reopening uses it and changes nothing.
  open_vault({.directory = dir.sub("vault")});
  CHECK(read_whole_file(path) == text);
}

TEST_CASE("master key: a store opened with another master key → bad_master_key naming the expected id") {
  TempDir dir;
  const vault::Options options{.directory = dir.sub("vault")};
  open_vault(options);
  const auto other = dir.sub("other.key");
  write_whole_file(other, std::string(64, '7') + "\n");
  const auto refused = vault::Vault::open({.directory = options.directory, .master_key_file = other});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == vault::ErrorCode::bad_master_key);
  // The expected id: the first 8 bytes of SHA-256 of the default key, as in the store's m/master.
  const auto recorded = raw_value(options.directory, "m/master").value();
  CHECK_THAT(refused.error().message, Catch::Contains(hex_of(recorded)));
  // Nor does the store open read-only with it.
  CHECK(vault::Vault::open({.directory = options.directory, .master_key_file = other, .mode = vault::Mode::read_only})
            .error()
            .code == vault::ErrorCode::bad_master_key);
}

TEST_CASE("master key: a named file of 32 raw bytes or 64 hex digits (any case, whitespace around) is accepted") {
  TempDir dir;
  std::string raw;
  for (int i = 0; i < 32; ++i) raw.push_back(static_cast<char>(0xa0 + i));
  write_whole_file(dir.sub("raw.key"), raw);
  write_whole_file(dir.sub("hex.key"), "  \n" + hex_of(raw) + "\r\n\t ");
  auto upper = hex_of(raw);
  std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
  write_whole_file(dir.sub("upper.key"), upper);
  vault::Sealed sealed;
  {
    auto v = open_vault({.directory = dir.sub("vault"), .master_key_file = dir.sub("raw.key")});
    sealed = v->seal(v->fresh_key().value(), "user:1", "alice").value();
  }
  // The same key in either form opens the same store; no default key file was created.
  for (const auto* name : {"raw.key", "hex.key", "upper.key"}) {
    INFO(name);
    auto v = open_vault({.directory = dir.sub("vault"), .master_key_file = dir.sub(name)});
    CHECK(v->open("user:1", sealed).value() == "alice");
  }
  CHECK_FALSE(std::filesystem::exists(dir.sub("master.key")));
}

TEST_CASE("master key: a malformed master key file → invalid_argument, naming the file") {
  TempDir dir;
  const auto path = dir.sub("bad.key");
  const std::vector<std::string> malformed = {
      "",
      std::string(31, 'x'),
      std::string(33, 'x'),
      std::string(63, 'a'),
      std::string(65, 'a'),
      std::string(63, 'a') + "g",
      std::string(32, 'a') + " " + std::string(32, 'a'),
      std::string(64, 'a') + "\nmore",
  };
  for (const auto& contents : malformed) {
    INFO("contents '" << contents << "'");
    write_whole_file(path, contents);
    const auto refused = vault::Vault::open({.directory = dir.sub("vault"), .master_key_file = path});
    REQUIRE_FALSE(refused);
    CHECK(refused.error().code == vault::ErrorCode::invalid_argument);
    CHECK_THAT(refused.error().message, Catch::Contains(path));
  }
}

TEST_CASE("master key: a named file that is missing → io_error, and no key is created in its place") {
  TempDir dir;
  const auto path = dir.sub("missing.key");
  const auto refused = vault::Vault::open({.directory = dir.sub("vault"), .master_key_file = path});
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == vault::ErrorCode::io_error);
  CHECK_FALSE(std::filesystem::exists(path));
  CHECK_FALSE(std::filesystem::exists(dir.sub("master.key")));
}

TEST_CASE("master key: a store whose default key file is lost is refused, never given a new key") {
  TempDir dir;
  const vault::Options options{.directory = dir.sub("vault")};
  open_vault(options);
  std::filesystem::remove(dir.sub("master.key"));
  const auto refused = vault::Vault::open(options);
  REQUIRE_FALSE(refused);
  CHECK(refused.error().code == vault::ErrorCode::io_error);
  CHECK_THAT(refused.error().message, Catch::Contains(hex_of(raw_value(options.directory, "m/master").value())));
  CHECK_FALSE(std::filesystem::exists(dir.sub("master.key")));
}

TEST_CASE("master key: read-only never creates anything, and over a missing vault opens an empty one") {
  TempDir dir;
  const vault::Options options{.directory = dir.sub("vault"), .mode = vault::Mode::read_only};
  auto v = open_vault(options);
  CHECK_FALSE(std::filesystem::exists(dir.sub("vault")));
  CHECK_FALSE(std::filesystem::exists(dir.sub("master.key")));
  CHECK(v->key_count() == 0);
  CHECK_FALSE(v->forgotten("user:1"));
  CHECK_FALSE(v->has_key(std::string(32, 'a')));
  const vault::Sealed sealed{std::string(32, 'a'), std::string(12, 'n'), std::string(20, 'c')};
  CHECK(v->open("user:1", sealed).value() == std::nullopt);
  CHECK(v->fresh_key().error().code == vault::ErrorCode::read_only);
  CHECK(v->forget("user:1", {}).error().code == vault::ErrorCode::read_only);
}

TEST_CASE("master key: read-only over a store opens its sealed values and refuses writes") {
  TempDir dir;
  vault::Sealed sealed;
  {
    auto v = open_vault({.directory = dir.sub("vault")});
    sealed = v->seal(v->fresh_key().value(), "user:1", "alice").value();
    REQUIRE(v->forget("user:2", {}));
  }
  auto v = open_vault({.directory = dir.sub("vault"), .mode = vault::Mode::read_only});
  CHECK(v->open("user:1", sealed).value() == "alice");
  CHECK(v->forgotten("user:2"));
  CHECK(v->key_count() == 1);
  CHECK(v->fresh_key().error().code == vault::ErrorCode::read_only);
  CHECK(v->forget("user:1", std::vector<std::string>{sealed.key_id}).error().code == vault::ErrorCode::read_only);
  CHECK(v->open("user:1", sealed).value() == "alice");
}
