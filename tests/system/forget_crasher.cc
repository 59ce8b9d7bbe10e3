// The child of personal_data_cli_test.cc: registers dana, then forgets her while the key store's
// disk fails — so the SubjectForgotten event is durable and the key is not destroyed — prints
// "<key id>", and kills itself with SIGKILL: a crash between the event and the destruction (G2).
#include <signal.h>

#include <cstdio>

#include "failing_file_system.h"
#include "orgledger/commands/processor.h"
#include "orgledger/vault/vault.h"

using namespace orgledger;

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: forget_crasher DIR\n");
    return 2;
  }
  const std::string dir = argv[1];
  auto log = ledger::Ledger::open(dir);
  testing::FailingWalFileSystem disk;
  ledger::EnvWith env({.file_system = std::shared_ptr<rocksdb::FileSystem>(&disk, [](rocksdb::FileSystem*) {})});
  auto keys = vault::Vault::open({.directory = dir + "/vault", .env = &env});
  if (!log || !keys) return 2;
  auto processor = commands::CommandProcessor::start(**log, ledger::system_clock(), projections::BusinessCalendar::geneva(),
                                                     {}, {}, keys->get());
  if (!processor) return 2;
  using commands::Command;
  if (!(*processor)->submit(Command{"svc:signup", "reg-dana", "", std::nullopt,
                                    commands::RegisterUser{"dana", "dana.crash-marker@example.ch"}})) {
    return 2;
  }
  const auto key = (*processor)->read([](const projections::State& s) { return s.users.at("dana").login.sealed->key_id; });
  disk.failing = true;
  auto forgotten = (*processor)->submit(Command{"svc:privacy", "forget-dana", "", std::nullopt,
                                                commands::ForgetSubject{"user:dana"}});
  if (forgotten || !forgotten.error().ledger) return 3;  // the key store was meant to fail
  std::printf("%s\n", key.c_str());
  std::fflush(stdout);
  raise(SIGKILL);
  return 4;
}
