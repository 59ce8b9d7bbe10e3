#include "orgledger/commands/personal_data.h"

#include <openssl/crypto.h>

#include <algorithm>

#include "orgledger/commands/stream_names.h"
#include "orgledger/projections/reporter_contact.h"
#include "orgledger/vault/vault.h"

namespace orgledger::commands {
namespace {

projections::Sealed to_projection(vault::Sealed sealed) {
  return projections::Sealed{std::move(sealed.key_id), std::move(sealed.nonce), std::move(sealed.ciphertext)};
}

// Drops a clear text so that no copy of it outlives the sealing.
void wipe(std::string& text) {
  OPENSSL_cleanse(text.data(), text.size());
  text.clear();
  text.shrink_to_fit();
}

class Sealer {
 public:
  Sealer(vault::Vault& vault, std::string subject) : vault_(vault), subject_(std::move(subject)) {}

  // Seals `clear` under the subject's key for this command (one fresh key per command).
  std::expected<projections::Sealed, vault::Error> seal(std::string& clear) {
    if (!key_) {
      auto key = vault_.fresh_key();
      if (!key) return std::unexpected(key.error());
      key_ = std::move(*key);
    }
    auto sealed = vault_.seal(*key_, subject_, clear);
    wipe(clear);
    if (!sealed) return std::unexpected(sealed.error());
    return to_projection(std::move(*sealed));
  }
  ~Sealer() {
    if (key_) OPENSSL_cleanse(key_->bytes.data(), key_->bytes.size());
  }

 private:
  vault::Vault& vault_;
  std::string subject_;
  std::optional<vault::DataKey> key_;
};

}  // namespace

std::vector<std::string> sealed_key_ids(const Body& body) {
  std::vector<std::string> out;
  auto add = [&](const std::optional<projections::Sealed>& sealed) {
    if (sealed && std::find(out.begin(), out.end(), sealed->key_id) == out.end()) out.push_back(sealed->key_id);
  };
  if (const auto* c = std::get_if<RegisterUser>(&body)) add(c->login.sealed);
  if (const auto* c = std::get_if<FileAbuseReport>(&body)) add(c->reporter.sealed);
  if (const auto* c = std::get_if<SubmitIdentityDocuments>(&body)) {
    for (const auto& document : c->documents) add(document.content.sealed);
  }
  return out;
}

std::string personal_subject(const Body& body) {
  if (const auto* c = std::get_if<RegisterUser>(&body)) return "user:" + c->user;
  if (const auto* c = std::get_if<FileAbuseReport>(&body); c && !c->reporter.anonymous) return abuse_report_stream(c->report);
  if (const auto* c = std::get_if<SubmitIdentityDocuments>(&body)) return identity_case_stream(c->case_id);
  return {};
}

std::expected<void, vault::Error> seal_personal_data(Command& command, vault::Vault& vault) {
  const std::string subject = personal_subject(command.body);
  if (subject.empty()) return {};
  Sealer sealer(vault, subject);
  auto seal_into = [&](PersonalInput& input) -> std::expected<void, vault::Error> {
    if (input.sealed) return {};
    auto sealed = sealer.seal(input.clear);
    if (!sealed) return std::unexpected(sealed.error());
    input.sealed = std::move(*sealed);
    return {};
  };
  if (auto* c = std::get_if<RegisterUser>(&command.body)) return seal_into(c->login);
  if (auto* c = std::get_if<SubmitIdentityDocuments>(&command.body)) {
    for (auto& document : c->documents) {
      if (auto sealed = seal_into(document.content); !sealed) return sealed;
    }
    return {};
  }
  if (auto* c = std::get_if<FileAbuseReport>(&command.body); c && !c->reporter.sealed) {
    auto& r = c->reporter;
    std::string contact = projections::encode_reporter_contact({r.name, r.email, r.phone});
    wipe(r.name);
    wipe(r.email);
    wipe(r.phone);
    auto sealed = sealer.seal(contact);
    if (!sealed) return std::unexpected(sealed.error());
    r.sealed = std::move(*sealed);
  }
  return {};
}

}  // namespace orgledger::commands
