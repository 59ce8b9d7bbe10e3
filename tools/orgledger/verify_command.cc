// `orgledger verify [--json]`: exit 0 when the chain holds, 1 and the first bad position if not.
#include <cstdio>
#include <nlohmann/json.hpp>

#include "cli_args.h"
#include "data_dir.h"
#include "orgledger/api/answer_json.h"
#include "orgledger/ledger/hash.h"
#include "orgledger/ledger/verify.h"
#include "subcommands.h"

namespace orgledger::tools {

int verify_command(const Args& raw) {
  const CliArgs args(raw, {{"data"}, {"json"}});
  if (!args.positional().empty()) throw UsageError("unexpected argument '" + args.positional().front() + "'");
  const std::string dir = data_directory(args);
  auto report = ledger::verify_ledger(dir);
  if (!report) {
    std::fprintf(stderr, "orgledger verify: %s\n", report.error().message.c_str());
    return kExitUsageOrIo;
  }
  if (args.flag("json")) {
    std::printf("%s\n", api::verify_json(*report).dump().c_str());
  } else if (report->ok) {
    std::printf("ok: %llu events, head %llu %s\n", static_cast<unsigned long long>(report->checked),
                static_cast<unsigned long long>(report->head.position), ledger::to_hex(report->head.hash).c_str());
  } else {
    std::printf("BROKEN at position %llu: %s (%llu events intact before it; recorded head %llu)\n",
                static_cast<unsigned long long>(*report->first_bad_position), report->problem.c_str(),
                static_cast<unsigned long long>(report->checked),
                static_cast<unsigned long long>(report->head.position));
  }
  if (std::fflush(stdout) != 0 || std::ferror(stdout)) {
    std::fprintf(stderr, "orgledger verify: cannot write the output\n");
    return kExitUsageOrIo;
  }
  return report->ok ? kExitOk : kExitRejected;
}

}  // namespace orgledger::tools
