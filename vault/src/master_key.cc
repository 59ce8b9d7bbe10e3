#include "master_key.h"

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <cstring>
#include <filesystem>

#include "errors.h"
#include "hex.h"
#include "orgledger/ledger/small_files.h"
#include "random.h"

namespace orgledger::vault {
namespace {

// A master key file is 32 or about 65 bytes; anything far larger is not one.
constexpr std::size_t kLargestKeyFile = 4096;

// The small files' errors are the ledger's; here they are the vault's io_error.
std::unexpected<Error> io_failure(const ledger::Error& error) { return fail(ErrorCode::io_error, error.message); }

bool is_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

}  // namespace

std::string master_key_id(std::span<const std::uint8_t, kKeyBytes> key) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int length = 0;
  // SHA-256 cannot fail on a 32-byte input short of memory exhaustion; a zero id would then
  // mismatch every store and show as bad_master_key, never as a wrong unwrap.
  if (EVP_Digest(key.data(), key.size(), digest, &length, EVP_sha256(), nullptr) != 1) return std::string(kMasterIdBytes, '\0');
  return std::string(reinterpret_cast<const char*>(digest), kMasterIdBytes);
}

std::expected<MasterKey, Error> parse_master_key(std::string_view contents, const std::string& path) {
  MasterKey master;
  if (contents.size() == kKeyBytes) {
    std::memcpy(master.key.bytes.data(), contents.data(), kKeyBytes);
  } else {
    std::string_view text = contents;
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    auto decoded = text.size() == 2 * kKeyBytes ? from_hex(text) : std::nullopt;
    if (!decoded) {
      return fail(ErrorCode::invalid_argument, "master key file " + path +
                                                   ": expected 32 raw bytes or 64 hex digits, found " +
                                                   std::to_string(contents.size()) + " bytes of something else");
    }
    std::memcpy(master.key.bytes.data(), decoded->data(), kKeyBytes);
    wipe(*decoded);
  }
  master.id = master_key_id(master.key.view());
  return master;
}

std::expected<MasterKey, Error> read_master_key_file(ledger::Env& os, const std::string& path) {
  auto contents = ledger::read_small_file(os, path);
  if (!contents) return io_failure(contents.error());
  if (!*contents) return fail(ErrorCode::io_error, "cannot open master key file " + path + ": no such file");
  std::string& text = **contents;
  if (text.size() > kLargestKeyFile) {
    wipe(text);
    return fail(ErrorCode::invalid_argument, "master key file " + path + ": not a key file (expected 32 raw bytes or 64 hex digits)");
  }
  auto master = parse_master_key(text, path);
  wipe(text);
  return master;
}

std::expected<bool, Error> file_exists(ledger::Env& os, const std::string& path) {
  auto exists = ledger::small_file_exists(os, path);
  if (!exists) return io_failure(exists.error());
  return *exists;
}

std::expected<MasterKey, Error> generate_master_key(Random& random) {
  MasterKey master;
  auto drawn = draw(random, master.key.bytes, "a master key");
  if (!drawn) return std::unexpected(drawn.error());
  master.id = master_key_id(master.key.view());
  return master;
}

std::expected<void, Error> write_master_key_file(ledger::Env& os, const std::string& path, const MasterKey& key) {
  // Created, never overwritten (it may be the only key that unwraps a store), owner-only (G1).
  std::string text = to_hex({reinterpret_cast<const char*>(key.key.bytes.data()), kKeyBytes}) + "\n";
  auto written = ledger::create_small_file(os, path, text, /*owner_only=*/true);
  wipe(text);
  if (!written) return io_failure(written.error());
  return {};
}

std::expected<void, Error> remove_file(ledger::Env& os, const std::string& path) {
  if (auto removed = ledger::remove_small_file(os, path); !removed) return io_failure(removed.error());
  return {};
}

std::expected<void, Error> rename_durably(ledger::Env& os, const std::string& from, const std::string& to) {
  if (auto renamed = ledger::rename_small_file(os, from, to); !renamed) return io_failure(renamed.error());
  return {};
}

std::string default_master_key_path(const std::string& vault_directory) {
  auto directory = std::filesystem::path(vault_directory).lexically_normal();
  // "<data>/vault/" normalizes to "<data>/vault/" (an empty filename): its parent is the vault itself.
  if (directory.filename().empty()) directory = directory.parent_path();
  const auto parent = directory.parent_path();
  return ((parent.empty() ? std::filesystem::path(".") : parent) / "master.key").string();
}

}  // namespace orgledger::vault
