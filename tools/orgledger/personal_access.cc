#include "personal_access.h"

#include <cstdio>
#include <map>
#include <memory>

#include "data_dir.h"
#include "orgledger/ledger/clock.h"

namespace orgledger::tools {

std::optional<std::unique_ptr<vault::Vault>> open_local_vault(const CliArgs& args, const char* subcommand) {
  vault::Options options{.directory = data_directory(args) + "/vault", .mode = vault::Mode::read_only};
  if (auto file = args.value("master-key-file")) options.master_key_file = *file;
  auto opened = vault::Vault::open(options);
  if (opened) return std::move(*opened);
  const bool revealing = args.flag("reveal-personal-data") || args.flag("reveal-reporter");
  std::fprintf(stderr, "orgledger %s: the vault could not be opened: %s%s\n", subcommand, opened.error().message.c_str(),
               revealing ? "" : " (personal data shows as redacted)");
  if (revealing) return std::nullopt;
  return std::unique_ptr<vault::Vault>();
}

namespace {

// Whether `subject`'s own stream holds a SubjectForgotten or an IdentityDocumentsPurged (G2):
// a subject's stream is short (its creation, a few stages, the forget), and answers are kept.
class ForgottenOnRecord {
 public:
  explicit ForgottenOnRecord(const ledger::Ledger& ledger) : ledger_(ledger) {}
  bool operator()(std::string_view subject) {
    if (auto it = known_.find(subject); it != known_.end()) return it->second;
    bool forgotten = false;
    for (ledger::StreamVersion version = 1;; version += kChunk) {
      auto events = ledger_.read_stream(subject, version, kChunk);
      if (!events) break;  // unreadable here: the vault's word decides
      for (const auto& event : *events) {
        forgotten = forgotten || event.type_name() == "SubjectForgotten" || event.type_name() == "IdentityDocumentsPurged";
      }
      if (events->size() < kChunk) break;
    }
    known_.emplace(std::string(subject), forgotten);
    return forgotten;
  }

 private:
  static constexpr std::size_t kChunk = 256;
  const ledger::Ledger& ledger_;
  std::map<std::string, bool, std::less<>> known_;
};

}  // namespace

api::PersonalView personal_view_of(const CliArgs& args, const vault::Vault* vault, const ledger::Ledger* ledger) {
  const bool all = args.flag("reveal-personal-data");
  api::PersonalView view{all, all || args.flag("reveal-reporter"), vault, ledger::system_clock().now(), {}};
  if (ledger != nullptr) {
    view.forgotten_on_record = [lookup = std::make_shared<ForgottenOnRecord>(*ledger)](std::string_view subject) {
      return (*lookup)(subject);
    };
  }
  return view;
}

}  // namespace orgledger::tools
