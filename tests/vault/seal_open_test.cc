// G1: personal values sealed with AES-256-GCM under their subject's key, AAD = the subject.
#include <catch2/catch.hpp>

#include <thread>

#include "temp_dir.h"
#include "vault_testing.h"

using namespace orgledger;
using namespace orgledger::testing;

TEST_CASE("seal: a sealed value opens for its subject, and holds no clear text") {
  TempDir dir;
  auto v = open_vault({.directory = dir.sub("vault")});
  const auto key = v->fresh_key().value();
  const auto sealed = v->seal(key, "user:1", "alice@example.com").value();
  CHECK(sealed.key_id == key.id);
  CHECK(sealed.nonce.size() == 12);
  CHECK(sealed.ciphertext.size() == std::string("alice@example.com").size() + 16);
  CHECK(sealed.ciphertext.find("alice") == std::string::npos);
  CHECK(v->open("user:1", sealed).value() == "alice@example.com");
  const auto empty = v->seal(key, "user:1", "").value();
  CHECK(v->open("user:1", empty).value() == "");
}

TEST_CASE("seal: the same value sealed twice differs (a fresh nonce each time)") {
  TempDir dir;
  auto v = open_vault({.directory = dir.sub("vault")});
  const auto key = v->fresh_key().value();
  const auto first = v->seal(key, "user:1", "alice").value();
  const auto second = v->seal(key, "user:1", "alice").value();
  CHECK(first.nonce != second.nonce);
  CHECK(first.ciphertext != second.ciphertext);
}

TEST_CASE("seal: AAD binding - opened for another subject, the value is corrupt") {
  TempDir dir;
  auto v = open_vault({.directory = dir.sub("vault")});
  const auto key = v->fresh_key().value();
  const auto sealed = v->seal(key, "user:1", "alice").value();
  CHECK(v->open("user:2", sealed).error().code == vault::ErrorCode::corrupt);
  CHECK(v->open("user:1 ", sealed).error().code == vault::ErrorCode::corrupt);
  CHECK(v->open("", sealed).error().code == vault::ErrorCode::corrupt);
}

TEST_CASE("seal: an altered ciphertext, tag or nonce byte, or another key → corrupt") {
  TempDir dir;
  auto v = open_vault({.directory = dir.sub("vault")});
  const auto key = v->fresh_key().value();
  const auto other = v->fresh_key().value();
  const auto sealed = v->seal(key, "user:1", "alice@example.com").value();
  for (std::size_t i = 0; i < sealed.ciphertext.size(); ++i) {
    auto altered = sealed;
    altered.ciphertext[i] ^= 0x20;
    INFO("byte " << i);
    CHECK(v->open("user:1", altered).error().code == vault::ErrorCode::corrupt);
  }
  auto altered = sealed;
  altered.nonce[5] ^= 0x01;
  CHECK(v->open("user:1", altered).error().code == vault::ErrorCode::corrupt);
  altered = sealed;
  altered.key_id = other.id;
  CHECK(v->open("user:1", altered).error().code == vault::ErrorCode::corrupt);
}

TEST_CASE("seal: a malformed sealed value → invalid_argument, an unknown key → reads as forgotten") {
  TempDir dir;
  auto v = open_vault({.directory = dir.sub("vault")});
  const auto key = v->fresh_key().value();
  const auto sealed = v->seal(key, "user:1", "alice").value();
  auto bad = sealed;
  bad.key_id = "not-hex";
  CHECK(v->open("user:1", bad).error().code == vault::ErrorCode::invalid_argument);
  bad.key_id = std::string(32, 'A');  // upper case is not a key id of ours
  CHECK(v->open("user:1", bad).error().code == vault::ErrorCode::invalid_argument);
  bad = sealed;
  bad.nonce = "short";
  CHECK(v->open("user:1", bad).error().code == vault::ErrorCode::invalid_argument);
  bad = sealed;
  bad.ciphertext = "tiny";
  CHECK(v->open("user:1", bad).error().code == vault::ErrorCode::invalid_argument);
  auto unknown = sealed;
  unknown.key_id = std::string(32, '0');
  CHECK(v->open("user:1", unknown).value() == std::nullopt);
  vault::DataKey malformed = key;
  malformed.id = "x";
  CHECK(v->seal(malformed, "user:1", "alice").error().code == vault::ErrorCode::invalid_argument);
}

TEST_CASE("seal: keys and sealed values survive a reopen (unwrapped from the store, not the cache)") {
  TempDir dir;
  const vault::Options options{.directory = dir.sub("vault")};
  vault::Sealed sealed;
  std::string key_id;
  {
    auto v = open_vault(options);
    const auto key = v->fresh_key().value();
    key_id = key.id;
    sealed = v->seal(key, "abuse:7", "reporter@example.org").value();
  }
  auto v = open_vault(options);
  CHECK(v->has_key(key_id));
  CHECK_FALSE(v->has_key(std::string(32, 'f')));
  CHECK_FALSE(v->has_key("nonsense"));
  CHECK(v->open("abuse:7", sealed).value() == "reporter@example.org");
  CHECK(v->open("abuse:7", sealed).value() == "reporter@example.org");  // now cached
  CHECK(v->open("abuse:8", sealed).error().code == vault::ErrorCode::corrupt);
}

TEST_CASE("seal: open and seal are safe from many threads at once") {
  TempDir dir;
  auto v = open_vault({.directory = dir.sub("vault")});
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 300; ++i) {
        const auto subject = "user:" + std::to_string(t) + "-" + std::to_string(i);
        auto key = v->fresh_key();
        if (!key) { ++failures; continue; }
        auto sealed = v->seal(*key, subject, subject + "@example.com");
        if (!sealed) { ++failures; continue; }
        auto opened = v->open(subject, *sealed);
        if (!opened || *opened != subject + "@example.com") ++failures;
      }
    });
  }
  for (auto& thread : threads) thread.join();
  CHECK(failures == 0);
}
