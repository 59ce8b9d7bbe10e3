// The entry AFL++'s driver (libAFLDriver.a, libFuzzer's interface) calls, for one target chosen at
// build time: bench/run_fuzz.sh builds one fuzz_afl_<target> per target with afl-g++-fast.
#include <cstddef>
#include <cstdint>

#include "targets.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ORGLEDGER_FUZZ_TARGET(std::span<const std::uint8_t>(data, size));
  return 0;
}
