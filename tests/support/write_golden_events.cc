// Writes tests/fixtures/golden_events.bin (see golden_file.h). Run it once per new event type,
// never to "fix" a failing golden test: an old log that no longer reads is the bug.
#include <cstdio>
#include <fstream>

#include "golden_file.h"
#include "temp_dir.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: write_golden_events FILE\n");
    return 2;
  }
  orgledger::testing::TempDir dir;
  const std::string bytes = orgledger::testing::make_golden_file(dir.sub("ledger"));
  std::ofstream out(argv[1], std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return out ? 0 : 2;
}
